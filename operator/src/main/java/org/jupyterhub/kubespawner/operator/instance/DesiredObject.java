package org.jupyterhub.kubespawner.operator.instance;

import io.fabric8.kubernetes.api.model.HasMetadata;
import org.jupyterhub.kubespawner.templating.Readiness;

/**
 * One object to create for an instance.
 *
 * @param object the complete object (namespace, labels, owner references, spec)
 * @param retained true for a claim kept when the instance is deleted (it has no owner reference)
 * @param readiness when the object counts as ready (the pods wait for it), or null
 */
public record DesiredObject(HasMetadata object, boolean retained, Readiness readiness) {

    /**
     * An object without a readiness rule.
     *
     * @param object see {@link #object()}
     * @param retained see {@link #retained()}
     */
    public DesiredObject(HasMetadata object, boolean retained) {
        this(object, retained, null);
    }

    /** @return the object's kind */
    public String kind() {
        return object.getKind();
    }

    /** @return the object's name */
    public String name() {
        return object.getMetadata().getName();
    }
}
