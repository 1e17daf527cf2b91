package org.jupyterhub.kubespawner.operator.access;

/**
 * The servers that hold a share of quotas (running or starting), found through indexes: the operator's view is its
 * informer cache of instances plus the spawns it admitted whose status does not show yet, never an API request.
 */
public interface ServerView {

    /**
     * Servers of one user.
     *
     * @param namespace the namespace
     * @param user the user name
     * @return the servers
     */
    Iterable<Server> ofUser(String namespace, String user);

    /**
     * Servers whose user was in a group at the spawn.
     *
     * @param namespace the namespace
     * @param group the group name
     * @return the servers
     */
    Iterable<Server> ofGroup(String namespace, String group);

    /**
     * Servers of one template.
     *
     * @param namespace the namespace of the servers
     * @param template the template, namespace/name
     * @return the servers
     */
    Iterable<Server> ofTemplate(String namespace, String template);

    /**
     * Every server of a namespace.
     *
     * @param namespace the namespace
     * @return the servers
     */
    Iterable<Server> inNamespace(String namespace);
}
