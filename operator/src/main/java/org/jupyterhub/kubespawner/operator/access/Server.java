package org.jupyterhub.kubespawner.operator.access;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * A notebook server as quotas count it: one instance that runs or is starting (or the spawn being decided).
 *
 * @param namespace the instance's namespace
 * @param name the instance's name
 * @param user the JupyterHub user (spec.user.name), or null when the instance does not say
 * @param groups the user's groups as asserted at the spawn
 * @param template the template, as namespace/name
 * @param requests what its pods request, by resource
 */
public record Server(
        String namespace,
        String name,
        String user,
        List<String> groups,
        String template,
        Map<String, BigDecimal> requests) {

    /**
     * Copies the collections.
     *
     * @param namespace see {@link #namespace()}
     * @param name see {@link #name()}
     * @param user see {@link #user()}
     * @param groups see {@link #groups()}
     * @param template see {@link #template()}
     * @param requests see {@link #requests()}
     */
    public Server {
        groups = groups == null ? List.of() : List.copyOf(groups);
        requests = requests == null ? Map.of() : Map.copyOf(requests);
    }

    /** @return namespace/name */
    public String key() {
        return namespace + "/" + name;
    }
}
