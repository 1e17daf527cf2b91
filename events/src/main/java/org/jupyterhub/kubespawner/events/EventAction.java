package org.jupyterhub.kubespawner.events;

/**
 * What the reporting controller did or failed to do about the regarding object, machine-readable, e.g.
 * {@code Create}, {@code Validate}, {@code Admit}; at most 128 bytes.
 *
 * <p>Like {@link EventReason}, usually an enum whose constant names are the actions:
 *
 * <pre>{@code
 * enum Action implements EventAction { Resolve, Validate, Create }
 * }</pre>
 */
public interface EventAction {

    /**
     * The action as written into the Event.
     *
     * @return the action; by default {@link Object#toString()}, which for an enum constant is its name
     */
    default String action() {
        return toString();
    }

    /**
     * An action from a plain string.
     *
     * @param action the action, e.g. {@code Create}
     * @return an action whose {@link #action()} is {@code action}
     */
    static EventAction of(String action) {
        return new EventAction() {
            @Override
            public String action() {
                return action;
            }

            @Override
            public String toString() {
                return String.valueOf(action);
            }
        };
    }
}
