package org.jupyterhub.kubespawner.operator.instance;

import org.jupyterhub.kubespawner.operator.vocabulary.Reason;

/**
 * Why a spawn has not created its objects yet though it will: it waits for a spawn slot ({@link Reason#SpawnQueued}),
 * for an earlier instance's object to go ({@link Reason#ObjectTerminating}), or to retry a create that failed for a
 * passing reason ({@link Reason#CreateRetrying}).
 *
 * @param reason the reason
 * @param message what is awaited, for status and the Event
 */
public record Waiting(Reason reason, String message) {}
