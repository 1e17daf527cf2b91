package org.jupyterhub.kubespawner.events;

import io.fabric8.kubernetes.api.model.ObjectReference;
import java.time.Instant;

/**
 * One call to {@code record}, captured in the caller's thread: the references are copies, so whatever the caller
 * does to its objects afterwards does not leak into the event.
 *
 * @param regarding the object the event is about
 * @param related a second object involved, or {@code null}
 * @param type Normal or Warning
 * @param reason the reason, already cut to the API's limit
 * @param action the action, already cut to the API's limit
 * @param note the human-readable note, already cut to the API's limit; never {@code null}
 * @param observed when {@code record} was called
 */
record Occurrence(
        ObjectReference regarding,
        ObjectReference related,
        EventType type,
        String reason,
        String action,
        String note,
        Instant observed) {}
