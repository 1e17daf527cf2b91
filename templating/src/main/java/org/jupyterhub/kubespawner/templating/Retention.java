package org.jupyterhub.kubespawner.templating;

/**
 * What happens to a rendered object when its instance is deleted: a template entry's {@code whenDeleted} for kinds
 * that are {@link ObjectKind#retainable()}, always {@link #DELETE} for the others.
 */
public enum Retention {
    /** Keep the object (for a claim: the user's data) for the next start; the default of retainable kinds. */
    RETAIN,
    /** Let the garbage collector delete the object with the instance. */
    DELETE
}
