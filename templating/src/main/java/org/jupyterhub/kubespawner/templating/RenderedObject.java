package org.jupyterhub.kubespawner.templating;

import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * One rendered object of a template.
 *
 * @param kind its row of the {@link ObjectKind} table
 * @param object apiVersion, kind, metadata (name, labels, annotations) and body (e.g. spec); namespace and owner
 *     references are left to the caller, who owns the object and may change it
 * @param weight creation order among the objects of its kind, ascending
 * @param retention whether it outlives its instance
 */
public record RenderedObject(ObjectKind<?> kind, HasMetadata object, int weight, Retention retention) {

    /** @return true when the object is kept when its instance is deleted (it must not be owned by it) */
    public boolean retained() {
        return retention == Retention.RETAIN;
    }

    /** @return the object's metadata.name */
    public String name() {
        return object.getMetadata().getName();
    }
}
