package org.jupyterhub.kubespawner.operator.instance;

import java.util.List;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancestatus.Resources;

/**
 * What was created for an instance (this reconcile, or recorded in its status by an earlier one).
 *
 * @param templateGeneration the template generation the objects were rendered from
 * @param podName the notebook pod
 * @param port the notebook port
 * @param resources every object created, in creation order, with its state at creation
 */
public record Spawn(long templateGeneration, String podName, int port, List<Resources> resources) {

    /**
     * Copies the list.
     *
     * @param templateGeneration see {@link #templateGeneration()}
     * @param podName see {@link #podName()}
     * @param port see {@link #port()}
     * @param resources see {@link #resources()}
     */
    public Spawn {
        resources = List.copyOf(resources);
    }
}
