package org.jupyterhub.kubespawner.operator.instance;

import java.util.List;
import org.jupyterhub.kubespawner.operator.vocabulary.Reason;

/**
 * Why nothing may be created for an instance: the first problem's reason, and every problem found.
 *
 * @param reason the reason of the first problem
 * @param messages every problem, each naming the field or variable concerned
 */
public record Rejection(Reason reason, List<String> messages) {

    /**
     * Copies the messages.
     *
     * @param reason see {@link #reason()}
     * @param messages see {@link #messages()}
     */
    public Rejection {
        messages = List.copyOf(messages);
    }

    /** @return every message in one string, for status.message and Events */
    public String summary() {
        return messages.size() == 1 ? messages.get(0) : messages.size() + " problems: " + String.join("; ", messages);
    }
}
