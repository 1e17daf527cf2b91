package org.jupyterhub.kubespawner.operator.instance;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import org.jupyterhub.kubespawner.operator.vocabulary.Reason;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancestatus.Suspension;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancestatus.SuspensionBuilder;

/**
 * Whether an instance is to be suspended, from its spec and the suspension its status records. A pure function.
 *
 * <p>The hub suspends with {@code spec.suspended: true}, and its suspension ends when the field is false again. The
 * operator never writes spec: a suspension it decided (a lifetime limit) is recorded in status with the instance's
 * generation, and holds until the generation moves past it with {@code spec.suspended} false, i.e. until the hub
 * asks for the server again (true, then false: the only spec change the hub may make).
 */
final class SuspendState {

    private SuspendState() {}

    /**
     * The suspension to hold now, or null when the server should run.
     *
     * @param instance the instance (spec, generation, status.suspension)
     * @param now the time, for a suspension that begins now
     * @return the suspension (the one in status, or a new one the hub asked for), or null
     */
    static Suspension hold(JupyterNotebookInstance instance, Instant now) {
        Suspension recorded =
                instance.getStatus() == null ? null : instance.getStatus().getSuspension();
        boolean asked = Boolean.TRUE.equals(instance.getSpec().getSuspended());
        if (recorded != null) {
            boolean byOperator = recorded.getRequestedBy() == Suspension.RequestedBy.OPERATOR;
            long at = recorded.getGeneration() == null ? 0 : recorded.getGeneration();
            return asked || (byOperator && generation(instance) <= at) ? recorded : null;
        }
        return asked
                ? suspension(
                        Reason.SuspendRequested,
                        Suspension.RequestedBy.HUB,
                        "spec.suspended is true",
                        generation(instance),
                        now)
                : null;
    }

    /**
     * The suspension the operator records when it stops a server.
     *
     * @param stop why
     * @param instance the instance
     * @param now the time
     * @return the suspension
     */
    static Suspension byOperator(Stop stop, JupyterNotebookInstance instance, Instant now) {
        return suspension(stop.reason(), Suspension.RequestedBy.OPERATOR, stop.message(), generation(instance), now);
    }

    /**
     * Whether a suspension recorded in status is still to be lifted (the hub asked to resume and the server is not
     * running yet).
     *
     * @param instance the instance
     * @return the recorded suspension, or null
     */
    static Suspension resuming(JupyterNotebookInstance instance) {
        return instance.getStatus() == null ? null : instance.getStatus().getSuspension();
    }

    private static Suspension suspension(
            Reason reason, Suspension.RequestedBy by, String message, long generation, Instant now) {
        return new SuspensionBuilder()
                .withReason(reason.name())
                .withRequestedBy(by)
                .withMessage(message)
                .withGeneration(generation)
                .withSince(ZonedDateTime.ofInstant(now.truncatedTo(ChronoUnit.SECONDS), ZoneOffset.UTC))
                .build();
    }

    /**
     * The reason of a recorded suspension as the vocabulary's enum.
     *
     * @param suspension the suspension
     * @return its reason, {@link Reason#Suspended} when it is not one of the operator's words
     */
    static Reason reason(Suspension suspension) {
        try {
            return Reason.valueOf(suspension.getReason());
        } catch (IllegalArgumentException | NullPointerException e) {
            return Reason.Suspended;
        }
    }

    private static long generation(JupyterNotebookInstance instance) {
        Long g = instance.getMetadata().getGeneration();
        return g == null ? 0 : g;
    }
}
