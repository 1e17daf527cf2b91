package org.jupyterhub.kubespawner.templating;

/**
 * The object an instance's notebook server is reached through ({@code spec.serverUrlFrom}), rendered for one instance.
 *
 * @param apiVersion the object's apiVersion
 * @param kind Service, Ingress or HTTPRoute
 * @param name the object's rendered name
 * @param scheme the declared scheme ({@code http} or {@code https}), or null for the kind's default
 * @param port for a Service, its port whose targetPort is the notebook port; 0 for the other kinds
 */
public record ServerUrlTarget(String apiVersion, String kind, String name, String scheme, int port) {}
