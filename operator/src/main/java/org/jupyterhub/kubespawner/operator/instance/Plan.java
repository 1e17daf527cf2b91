package org.jupyterhub.kubespawner.operator.instance;

/** What to do for an instance whose template was resolved. */
public sealed interface Plan {

    /**
     * Create these objects.
     *
     * @param desired the objects and the notebook's coordinates
     */
    record Create(DesiredState desired) implements Plan {}

    /**
     * Create nothing.
     *
     * @param rejection every reason why
     */
    record Reject(Rejection rejection) implements Plan {}
}
