package org.jupyterhub.kubespawner.operator.instance;

import java.util.List;
import java.util.Map;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancestatus.Resources;

/**
 * What was created for an instance (this reconcile, or recorded in its status by an earlier one).
 *
 * @param templateGeneration the template generation the objects were rendered from
 * @param podName the notebook pod
 * @param port the notebook port
 * @param resources every object created, in creation order, with its state at creation
 * @param requests what the pods request, as recorded in status.requests (empty when unknown)
 */
public record Spawn(
        long templateGeneration, String podName, int port, List<Resources> resources, Map<String, String> requests) {

    /**
     * Copies the collections.
     *
     * @param templateGeneration see {@link #templateGeneration()}
     * @param podName see {@link #podName()}
     * @param port see {@link #port()}
     * @param resources see {@link #resources()}
     * @param requests see {@link #requests()}
     */
    public Spawn {
        resources = List.copyOf(resources);
        requests = requests == null ? Map.of() : Map.copyOf(requests);
    }

    /**
     * A spawn whose requests are not known.
     *
     * @param templateGeneration see {@link #templateGeneration()}
     * @param podName see {@link #podName()}
     * @param port see {@link #port()}
     * @param resources see {@link #resources()}
     */
    public Spawn(long templateGeneration, String podName, int port, List<Resources> resources) {
        this(templateGeneration, podName, port, resources, Map.of());
    }

    /**
     * The same spawn with its requests.
     *
     * @param recorded status.requests
     * @return a new spawn
     */
    public Spawn withRequests(Map<String, String> recorded) {
        return new Spawn(templateGeneration, podName, port, resources, recorded);
    }
}
