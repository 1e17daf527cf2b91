package org.jupyterhub.kubespawner.templating;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;

/**
 * A rendered persistent volume claim.
 *
 * @param claim metadata (name, labels, annotations) and spec
 * @param weight creation order among claims, ascending
 * @param retention what to do with the claim when its instance is deleted
 */
public record RenderedClaim(PersistentVolumeClaim claim, int weight, ClaimRetention retention) {}
