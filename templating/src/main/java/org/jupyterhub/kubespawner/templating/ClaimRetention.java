package org.jupyterhub.kubespawner.templating;

/** What happens to a persistent volume claim when its instance is deleted (the template's {@code whenDeleted}). */
public enum ClaimRetention {
    /** Keep the claim and the user's data for the next start (the default). */
    RETAIN,
    /** Let the garbage collector delete the claim with the instance. */
    DELETE
}
