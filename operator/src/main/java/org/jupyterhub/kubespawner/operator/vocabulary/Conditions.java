package org.jupyterhub.kubespawner.operator.vocabulary;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;

/**
 * Builds standard conditions so that rebuilding the same state yields an equal object: lastTransitionTime is kept
 * from the previous condition of the same type unless its status flips (no now() churn, hence no status writes
 * and no reconcile loops when nothing changed).
 */
public final class Conditions {

    /** Condition status True. */
    public static final String TRUE = "True";
    /** Condition status False. */
    public static final String FALSE = "False";
    /** Condition status Unknown. */
    public static final String UNKNOWN = "Unknown";

    private Conditions() {}

    /**
     * A condition, carrying over the previous lastTransitionTime when the status did not change.
     *
     * @param previous the conditions currently in status, may be null
     * @param type the condition type
     * @param status True, False or Unknown
     * @param reason an UpperCamelCase reason
     * @param message a human-readable message
     * @param generation the observed generation
     * @param now the time to use if the status changed
     * @return the condition
     */
    public static Condition next(
            List<Condition> previous,
            String type,
            String status,
            Reason reason,
            String message,
            Long generation,
            Instant now) {
        Condition old = find(previous, type);
        String transition =
                old != null && Objects.equals(old.getStatus(), status) && old.getLastTransitionTime() != null
                        ? old.getLastTransitionTime()
                        : now.truncatedTo(ChronoUnit.SECONDS).toString();
        return new ConditionBuilder()
                .withType(type)
                .withStatus(status)
                .withReason(reason.name())
                .withMessage(message == null ? "" : message)
                .withObservedGeneration(generation)
                .withLastTransitionTime(transition)
                .build();
    }

    /**
     * Finds a condition by type.
     *
     * @param conditions the list, may be null
     * @param type the type
     * @return the condition, or null
     */
    public static Condition find(List<Condition> conditions, String type) {
        if (conditions == null) {
            return null;
        }
        return conditions.stream()
                .filter(c -> type.equals(c.getType()))
                .findFirst()
                .orElse(null);
    }

    /**
     * Whether a condition of that type has the given status.
     *
     * @param conditions the list, may be null
     * @param type the type
     * @param status the status
     * @return true when found with that status
     */
    public static boolean is(List<Condition> conditions, String type, String status) {
        Condition c = find(conditions, type);
        return c != null && status.equals(c.getStatus());
    }
}
