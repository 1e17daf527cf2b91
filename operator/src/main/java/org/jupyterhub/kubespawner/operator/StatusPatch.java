package org.jupyterhub.kubespawner.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * Status writes without optimistic locking.
 *
 * <p>The operator is the only writer of its resources' status and always writes the whole status it computed from
 * what it observed, with a forced server-side apply. Carrying the cached resourceVersion only makes the patch fail
 * with 409 whenever anything else touched the object in between (e.g. the hub), which cost a 2 s
 * retry on about one spawn in ten in the benchmarks (docs/benchmarks.md).
 */
public final class StatusPatch {

    private StatusPatch() {}

    /**
     * Drops the resourceVersion so that the status patch applies to whatever version the server holds.
     *
     * @param resource the resource whose status is about to be patched
     * @param <R> its type
     * @return the same resource, for chaining into {@code UpdateControl.patchStatus}
     */
    public static <R extends HasMetadata> R unlocked(R resource) {
        resource.getMetadata().setResourceVersion(null);
        return resource;
    }
}
