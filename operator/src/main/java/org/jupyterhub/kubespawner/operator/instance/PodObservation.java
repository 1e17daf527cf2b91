package org.jupyterhub.kubespawner.operator.instance;

import org.jupyterhub.kubespawner.operator.vocabulary.Reason;

/** What the notebook pod is doing, as far as the instance's status is concerned. */
public sealed interface PodObservation {

    /** The pod does not exist. */
    record Missing() implements PodObservation {}

    /**
     * The pod is Ready and has an IP.
     *
     * @param podIP the pod's IP
     */
    record Ready(String podIP) implements PodObservation {}

    /**
     * The pod exists but is not ready yet.
     *
     * @param blocker {@link Reason#PodStarting} when nothing is known to be wrong, else what holds it up
     *     (FailedScheduling, ImagePullBackOff, CrashLoopBackOff, ...)
     * @param detail a human-readable explanation
     */
    record Starting(Reason blocker, String detail) implements PodObservation {}

    /**
     * The pod ended and will not become ready again.
     *
     * @param reason PodFailed, PodCompleted or PodDeleted
     * @param detail a human-readable explanation (exit codes, the kubelet's message)
     */
    record Ended(Reason reason, String detail) implements PodObservation {}
}
