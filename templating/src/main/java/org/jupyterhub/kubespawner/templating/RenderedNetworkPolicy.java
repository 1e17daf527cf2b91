package org.jupyterhub.kubespawner.templating;

import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;

/**
 * A rendered network policy.
 *
 * @param networkPolicy metadata (name, labels, annotations) and spec
 * @param weight creation order among network policies, ascending
 */
public record RenderedNetworkPolicy(NetworkPolicy networkPolicy, int weight) {}
