package org.jupyterhub.kubespawner.operator.access;

import org.jupyterhub.kubespawner.v1.jupyternotebookinstancetemplatespec.policy.Access;

/** What happens to a running server once no rule grants its user the template any more (policy.access.whenAccessEnds). */
public enum AccessReaction {
    /** Left running until the hub stops it; the AccessGranted condition says access ended. */
    Keep,
    /** The instance is deleted: its pods and services go, claims marked Retain stay. */
    Delete,
    /** The server is suspended: its pods go, claims and the instance stay; a resume is refused until access is back. */
    Suspend;

    /**
     * The reaction a template's policy asks for.
     *
     * @param policy its policy.access
     * @return the reaction (Keep when unset)
     */
    public static AccessReaction of(Access policy) {
        if (policy.getWhenAccessEnds() == null) {
            return Keep;
        }
        return switch (policy.getWhenAccessEnds()) {
            case KEEP -> Keep;
            case DELETE -> Delete;
            case SUSPEND -> Suspend;
        };
    }
}
