package org.jupyterhub.kubespawner.operator.instance;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;
import org.jupyterhub.kubespawner.operator.ManagedLabels;
import org.jupyterhub.kubespawner.templating.ServerRoutes;
import org.jupyterhub.kubespawner.templating.ServerUrlTarget;

/**
 * The address of a ready server that its template reaches through an object ({@code spec.serverUrlFrom}): reached at
 * a URL, awaited (a load balancer without an address yet), or refused (the object cannot give one). {@link #of} is a
 * pure function of the object as read.
 */
public sealed interface ServerAddress {

    /**
     * The hub reaches the server at this URL.
     *
     * @param url the URL
     */
    record Reached(String url) implements ServerAddress {}

    /**
     * Not yet: the object has no address ({@link org.jupyterhub.kubespawner.operator.vocabulary.Reason#AddressPending}).
     *
     * @param message what is awaited
     */
    record Awaited(String message) implements ServerAddress {}

    /**
     * The object cannot give an address
     * ({@link org.jupyterhub.kubespawner.operator.vocabulary.Reason#AddressInvalid}).
     *
     * @param message names the object, the template's field and what is wrong
     */
    record Refused(String message) implements ServerAddress {}

    /**
     * The address an object gives.
     *
     * @param template the template, as namespace/name, for messages
     * @param target the declared object, its name rendered for the instance
     * @param object the object as read (JSON), or null when it does not exist
     * @param instanceName the instance's name
     * @param uid the instance's uid
     * @param services the names of the instance's Services (the backends a route may lead to)
     * @return the address
     */
    static ServerAddress of(
            String template,
            ServerUrlTarget target,
            JsonNode object,
            String instanceName,
            String uid,
            Set<String> services) {
        String what = target.kind() + " " + target.name() + " (spec.serverUrlFrom of template " + template + ")";
        if (object == null || object.isNull()) {
            return new Refused(what + " does not exist: it was deleted after the server started; delete the instance"
                    + " and start it again");
        }
        if (!isInstances(object.path("metadata"), instanceName, uid)) {
            return new Refused(what + " is not this instance's (not controlled by it); the operator reports no"
                    + " address of another's object");
        }
        return switch (target.kind()) {
            case "Service" -> loadBalancer(what, target, object);
            case "Ingress" -> {
                ServerRoutes.Route r = ServerRoutes.ofIngress(object.path("spec"), services);
                yield r == null
                        ? noRoute(what, ServerRoutes.INGRESS_NEEDS, services)
                        : url(target.scheme() != null ? target.scheme() : r.tls() ? "https" : "http", r);
            }
            case "HTTPRoute" -> {
                ServerRoutes.Route r = ServerRoutes.ofHttpRoute(object.path("spec"), services);
                yield r == null
                        ? noRoute(what, ServerRoutes.HTTP_ROUTE_NEEDS, services)
                        : url(target.scheme() != null ? target.scheme() : "https", r);
            }
            default ->
                new Refused(what + ": kind " + target.kind() + " gives no address; allowed: Service,"
                        + " Ingress, HTTPRoute");
        };
    }

    /** Controlled by this instance, or retained for it (no controller, labelled with its name by the operator). */
    private static boolean isInstances(JsonNode metadata, String instanceName, String uid) {
        for (JsonNode ref : metadata.path("ownerReferences")) {
            if (ref.path("controller").asBoolean(false)) {
                return uid != null && uid.equals(ref.path("uid").asText(null));
            }
        }
        JsonNode labels = metadata.path("labels");
        return instanceName.equals(labels.path(ManagedLabels.INSTANCE).asText(null))
                && ManagedLabels.MANAGED_BY_VALUE.equals(
                        labels.path(ManagedLabels.MANAGED_BY).asText(null));
    }

    private static ServerAddress loadBalancer(String what, ServerUrlTarget target, JsonNode service) {
        JsonNode ingress =
                service.path("status").path("loadBalancer").path("ingress").path(0);
        String host = ingress.path("ip").asText("");
        if (host.isBlank()) {
            host = ingress.path("hostname").asText("");
        }
        if (host.isBlank()) {
            return new Awaited("waiting for the load balancer's address of " + what
                    + ": its status.loadBalancer.ingress is empty");
        }
        String scheme = target.scheme() == null ? "http" : target.scheme();
        return new Reached(scheme + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + target.port());
    }

    private static ServerAddress noRoute(String what, String needs, Set<String> services) {
        return new Refused(what + " has no route the hub can use: it needs " + needs + " (this server's Services: "
                + new java.util.TreeSet<>(services) + ")");
    }

    private static ServerAddress url(String scheme, ServerRoutes.Route route) {
        int standard = "https".equals(scheme) ? 443 : 80;
        String port = route.port() == 0 || route.port() == standard ? "" : ":" + route.port();
        return new Reached(scheme + "://" + route.host() + port + route.path());
    }
}
