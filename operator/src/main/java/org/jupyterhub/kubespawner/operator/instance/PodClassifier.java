package org.jupyterhub.kubespawner.operator.instance;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jupyterhub.kubespawner.operator.vocabulary.Reason;

/**
 * Reads a pod's status the way a user would: ready, still starting (and why), or over. Only the kubelet's and the
 * scheduler's own reasons are trusted; anything unrecognised counts as "still starting", so the progress timeout
 * decides.
 */
public final class PodClassifier {

    /** Waiting reasons that do not fix themselves; they fail the instance once the progress timeout has passed. */
    private static final Map<String, Reason> UNRECOVERABLE = Map.of(
            "ErrImagePull", Reason.ErrImagePull,
            "ImagePullBackOff", Reason.ImagePullBackOff,
            "InvalidImageName", Reason.InvalidImageName,
            "CrashLoopBackOff", Reason.CrashLoopBackOff,
            "CreateContainerConfigError", Reason.CreateContainerConfigError);
    /**
     * kube-scheduler's volume-binding message for a pod whose claims are not bound yet (claims with Immediate binding
     * wait for the PV controller or a provisioner); the scheduler retries when they are.
     */
    private static final String UNBOUND_CLAIMS = "pod has unbound immediate PersistentVolumeClaims";

    private PodClassifier() {}

    /**
     * Classifies a pod.
     *
     * @param pod the pod, or null when it does not exist
     * @return the observation
     */
    public static PodObservation classify(Pod pod) {
        if (pod == null) {
            return new PodObservation.Missing();
        }
        String name = pod.getMetadata().getName();
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            return new PodObservation.Ended(Reason.PodDeleted, "pod " + name + " is being deleted");
        }
        PodStatus status = pod.getStatus() == null ? new PodStatus() : pod.getStatus();
        String phase = status.getPhase();
        if ("Failed".equals(phase)) {
            return new PodObservation.Ended(Reason.PodFailed, "pod " + name + " failed" + why(status));
        }
        if ("Succeeded".equals(phase)) {
            return new PodObservation.Ended(
                    Reason.PodCompleted, "pod " + name + " completed: the notebook server exited" + why(status));
        }
        if (conditionTrue(status, "Ready")
                && status.getPodIP() != null
                && !status.getPodIP().isEmpty()) {
            return new PodObservation.Ready(status.getPodIP());
        }
        List<ContainerStatus> containers = Stream.concat(
                        status.getInitContainerStatuses() == null
                                ? Stream.empty()
                                : status.getInitContainerStatuses().stream(),
                        status.getContainerStatuses() == null ? Stream.empty() : status.getContainerStatuses().stream())
                .toList();
        for (ContainerStatus container : containers) {
            ContainerStateWaiting waiting =
                    container.getState() == null ? null : container.getState().getWaiting();
            if (waiting != null && UNRECOVERABLE.containsKey(waiting.getReason())) {
                return new PodObservation.Starting(
                        UNRECOVERABLE.get(waiting.getReason()),
                        "container " + container.getName() + " of pod " + name + ": " + waiting.getReason()
                                + (blank(waiting.getMessage()) ? "" : ": " + waiting.getMessage()));
            }
        }
        PodCondition scheduled = condition(status, "PodScheduled");
        if (scheduled != null && "False".equals(scheduled.getStatus())) {
            if (scheduled.getMessage() != null && scheduled.getMessage().contains(UNBOUND_CLAIMS)) {
                return new PodObservation.Starting(
                        Reason.ClaimPending,
                        "pod " + name + " waits for its PersistentVolumeClaims to be bound: " + scheduled.getMessage());
            }
            return new PodObservation.Starting(
                    Reason.FailedScheduling,
                    "pod " + name + " cannot be scheduled"
                            + (blank(scheduled.getMessage()) ? "" : ": " + scheduled.getMessage()));
        }
        return new PodObservation.Starting(
                Reason.PodStarting,
                "pod " + name + " is " + (phase == null ? "Pending" : phase) + " and not ready yet");
    }

    /**
     * Whether a pod's update changes what the instance's status is made of. Most of a starting pod's updates do not
     * (the scheduler's binding, for one): the operator skips them rather than reconcile for nothing while the
     * scheduler and the kubelet need the CPU to start that very pod.
     *
     * @param newer the pod after the update
     * @param older the pod before it
     * @return true when the two are classified differently
     */
    public static boolean changesObservation(Pod newer, Pod older) {
        return !classify(newer).equals(classify(older));
    }

    private static String why(PodStatus status) {
        List<String> parts = new ArrayList<>();
        if (!blank(status.getReason())) {
            parts.add(status.getReason());
        }
        if (!blank(status.getMessage())) {
            parts.add(status.getMessage());
        }
        if (status.getContainerStatuses() != null) {
            for (ContainerStatus c : status.getContainerStatuses()) {
                ContainerStateTerminated t =
                        c.getState() == null ? null : c.getState().getTerminated();
                if (t == null && c.getLastState() != null) {
                    t = c.getLastState().getTerminated();
                }
                if (t != null) {
                    parts.add("container " + c.getName() + " exited with code " + t.getExitCode()
                            + (blank(t.getReason()) ? "" : " (" + t.getReason() + ")")
                            + (blank(t.getMessage()) ? "" : ": " + t.getMessage()));
                }
            }
        }
        return parts.isEmpty() ? "" : ": " + String.join("; ", parts);
    }

    private static boolean conditionTrue(PodStatus status, String type) {
        PodCondition c = condition(status, type);
        return c != null && "True".equals(c.getStatus());
    }

    private static PodCondition condition(PodStatus status, String type) {
        if (status.getConditions() == null) {
            return null;
        }
        return status.getConditions().stream()
                .filter(c -> type.equals(c.getType()))
                .findFirst()
                .orElse(null);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
