package org.jupyterhub.kubespawner.operator.instance;

import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * One object to create for an instance.
 *
 * @param object the complete object (namespace, labels, owner references, spec)
 * @param retained true for a claim kept when the instance is deleted (it has no owner reference)
 */
public record DesiredObject(HasMetadata object, boolean retained) {

    /** @return the object's kind */
    public String kind() {
        return object.getKind();
    }

    /** @return the object's name */
    public String name() {
        return object.getMetadata().getName();
    }
}
