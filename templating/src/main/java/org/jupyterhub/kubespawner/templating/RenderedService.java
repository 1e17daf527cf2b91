package org.jupyterhub.kubespawner.templating;

import io.fabric8.kubernetes.api.model.Service;

/**
 * A rendered service.
 *
 * @param service metadata (name, labels, annotations) and spec
 * @param weight creation order among services, ascending
 */
public record RenderedService(Service service, int weight) {}
