package org.jupyterhub.kubespawner.operator.instance;

import org.jupyterhub.kubespawner.operator.vocabulary.Reason;

/**
 * A server the operator stops on its own, whatever the hub does: a rule of the template (a lifetime limit) or of
 * the operator (access that ended) decided it. {@link InstanceReconcile#stop} carries it out, with a Normal Event
 * naming the rule and the figures; the operator never writes the instance's spec, so a suspension is recorded in
 * status (requestedBy Operator) and holds until the hub changes spec.suspended again.
 *
 * @param reason the rule, the same word as the Event's and the Suspended condition's reason (e.g.
 *     {@link Reason#MaxAgeExceeded})
 * @param action what to do
 * @param message the rule and the figures, e.g. "ran for 28800s since its pod was created (maxAgeSeconds 28800)"
 */
public record Stop(Reason reason, Action action, String message) {

    /** What a stop does to the instance. */
    public enum Action {
        /** Leave the server running; only the Event tells the decision. */
        KEEP,
        /** Suspend it: pods deleted (services too when the template says so), claims and the instance kept. */
        SUSPEND,
        /** Delete the instance (owned objects go by garbage collection, retained claims stay). */
        DELETE
    }
}
