package org.jupyterhub.kubespawner.templating;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import java.util.Objects;

/**
 * Everything a template rendered to.
 *
 * @param objects every object in creation order: by {@link ObjectKind#creationGroup()}, then ascending weight, ties
 *     in template order
 * @param notebook the notebook server, one of the pods
 */
public record RenderedObjects(List<RenderedObject> objects, NotebookServer notebook) {

    /**
     * Copies the list so the record stays immutable.
     *
     * @param objects see {@link #objects()}
     * @param notebook see {@link #notebook()}
     */
    public RenderedObjects {
        objects = List.copyOf(objects);
        Objects.requireNonNull(notebook, "notebook");
    }

    /**
     * The objects of one kind.
     *
     * @param kind a row of {@link ObjectKind#ALL}
     * @return its rendered objects, in ascending weight (ties in template order)
     */
    public List<RenderedObject> of(ObjectKind<?> kind) {
        return objects.stream().filter(o -> o.kind() == kind).toList();
    }

    /**
     * The objects of one kind, typed.
     *
     * @param kind a row of {@link ObjectKind#ALL}
     * @param <T> its fabric8 type
     * @return its rendered objects, in ascending weight (ties in template order)
     */
    public <T extends HasMetadata> List<T> objectsOf(ObjectKind<T> kind) {
        return objects.stream()
                .filter(o -> o.kind() == kind)
                .map(o -> kind.cast(o.object()))
                .toList();
    }
}
