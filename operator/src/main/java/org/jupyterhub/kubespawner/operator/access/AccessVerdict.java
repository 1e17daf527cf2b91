package org.jupyterhub.kubespawner.operator.access;

import java.time.Instant;

/** Whether an instance's user may use its template now, as the rules say (templates without policy.access: none). */
public sealed interface AccessVerdict {

    /** @return when the verdict may change by itself (a window opens or closes), or null */
    Instant nextChange();

    /** @return the sentence for the AccessGranted condition and Events */
    String message();

    /**
     * A rule grants the user the template.
     *
     * @param message which rule, for which subject, until when
     * @param nextChange see {@link AccessVerdict#nextChange()}
     */
    record Granted(String message, Instant nextChange) implements AccessVerdict {}

    /**
     * No rule grants the user the template now.
     *
     * @param message the rules, and the windows of those that name the user at another time (a clause: "template
     *     hub/gpu restricts access ... and no rule grants user ada now: ...")
     * @param nextChange see {@link AccessVerdict#nextChange()}
     * @param whenAccessEnds what a running server of this user becomes
     */
    record Denied(String message, Instant nextChange, AccessReaction whenAccessEnds) implements AccessVerdict {}

    /**
     * The instance does not say who its user is (or says it in a way that cannot be trusted).
     *
     * @param message what is missing or wrong, and why it is needed
     * @param whenAccessEnds what a running server of this instance becomes
     */
    record Unidentified(String message, AccessReaction whenAccessEnds) implements AccessVerdict {
        @Override
        public Instant nextChange() {
            return null;
        }
    }
}
