package org.jupyterhub.kubespawner.operator.instance;

import java.util.List;
import org.jupyterhub.kubespawner.operator.vocabulary.Reason;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancestatus.Resources;

/**
 * Why a spawn has not created its objects yet though it will: it waits for a spawn slot ({@link Reason#SpawnQueued}),
 * for an earlier instance's object to go ({@link Reason#ObjectTerminating}), or to retry a create that failed for a
 * passing reason ({@link Reason#CreateRetrying}).
 *
 * @param reason the reason
 * @param message what is awaited, for status and the Event
 * @param resources the objects that exist so far with their states (status.resources), empty when none
 */
public record Waiting(Reason reason, String message, List<Resources> resources) {

    /**
     * Waiting before anything exists.
     *
     * @param reason see {@link #reason()}
     * @param message see {@link #message()}
     */
    public Waiting(Reason reason, String message) {
        this(reason, message, List.of());
    }

    /**
     * Copies the list.
     *
     * @param reason see {@link #reason()}
     * @param message see {@link #message()}
     * @param resources see {@link #resources()}
     */
    public Waiting {
        resources = List.copyOf(resources);
    }
}
