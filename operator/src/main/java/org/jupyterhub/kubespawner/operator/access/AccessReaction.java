package org.jupyterhub.kubespawner.operator.access;

import org.jupyterhub.kubespawner.v1.jupyternotebookinstancetemplatespec.policy.Access;

/** What happens to a running server once no rule grants its user the template any more (policy.access.whenAccessEnds). */
public enum AccessReaction {
    /** Left running until the hub stops it; the AccessGranted condition says access ended. */
    Keep,
    /** The instance is deleted: its pods and services go, claims marked Retain stay. */
    Delete;

    /**
     * The reaction a template's policy asks for.
     *
     * @param policy its policy.access
     * @return the reaction (Keep when unset)
     */
    public static AccessReaction of(Access policy) {
        // Suspend is refused by the CRD (x-kubernetes-validations) until the operator has a suspend; never seen here.
        return policy.getWhenAccessEnds() == Access.WhenAccessEnds.DELETE ? Delete : Keep;
    }
}
