package org.jupyterhub.kubespawner.events;

/**
 * The machine-readable reason of an event: UpperCamelCase, e.g. {@code TemplateResolved}, at most 128 bytes.
 *
 * <p>Controllers keep their vocabulary in one place by declaring the reasons as an enum; the constant's name is the
 * reason:
 *
 * <pre>{@code
 * enum Reason implements EventReason { TemplateResolved, VariablesRejected, ImageDenied }
 * }</pre>
 *
 * Override {@link #reason()} when the constant's name is not the wanted reason. Ad-hoc reasons come from
 * {@link #of(String)}, and every {@link EventRecorder} method also has an overload taking plain strings.
 */
public interface EventReason {

    /**
     * The reason as written into the Event.
     *
     * @return the reason; by default {@link Object#toString()}, which for an enum constant is its name
     */
    default String reason() {
        return toString();
    }

    /**
     * A reason from a plain string.
     *
     * @param reason the reason, e.g. {@code PodCreated}
     * @return a reason whose {@link #reason()} is {@code reason}
     */
    static EventReason of(String reason) {
        return new EventReason() {
            @Override
            public String reason() {
                return reason;
            }

            @Override
            public String toString() {
                return String.valueOf(reason);
            }
        };
    }
}
