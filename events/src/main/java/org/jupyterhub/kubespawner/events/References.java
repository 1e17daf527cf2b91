package org.jupyterhub.kubespawner.events;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;

/** Turns the caller's objects into the {@code regarding}/{@code related} references of an Event. */
final class References {

    private References() {}

    /**
     * A reference to {@code object} with apiVersion, kind, namespace, name, uid and resourceVersion.
     *
     * @throws IllegalArgumentException when the object has no metadata or no name, with the reason why
     */
    static ObjectReference of(HasMetadata object, String role) {
        if (object == null) {
            throw new IllegalArgumentException(role + " object is null");
        }
        ObjectMeta metadata = object.getMetadata();
        if (metadata == null || metadata.getName() == null || metadata.getName().isBlank()) {
            throw new IllegalArgumentException(
                    role + " " + object.getClass().getSimpleName() + " has no metadata.name");
        }
        // Typed fabric8 objects carry apiVersion and kind; fall back to the class's annotations for ones built bare.
        String apiVersion =
                object.getApiVersion() != null ? object.getApiVersion() : HasMetadata.getApiVersion(object.getClass());
        String kind = object.getKind() != null ? object.getKind() : HasMetadata.getKind(object.getClass());
        return new ObjectReferenceBuilder()
                .withApiVersion(apiVersion)
                .withKind(kind)
                .withNamespace(metadata.getNamespace())
                .withName(metadata.getName())
                .withUid(metadata.getUid())
                .withResourceVersion(metadata.getResourceVersion())
                .build();
    }
}
