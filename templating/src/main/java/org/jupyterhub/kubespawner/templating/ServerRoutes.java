package org.jupyterhub.kubespawner.templating;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;

/**
 * Where an Ingress or a Gateway API HTTPRoute sends the hub to a notebook server: the host and path of the first rule
 * whose backend is one of the server's Services. Read from a template's entry (placeholders and all) when the
 * template is checked, and from the live object when the operator reports the server's URL. Pure functions.
 */
public final class ServerRoutes {

    private ServerRoutes() {}

    /**
     * A route to the server.
     *
     * @param host the host name
     * @param path the rule's path, starting with /
     * @param tls whether the object's TLS settings cover the host (an Ingress's spec.tls; false for an HTTPRoute)
     * @param port the listener port the object names (an HTTPRoute's parentRefs[0].port), or 0 when it names none
     */
    public record Route(String host, String path, boolean tls, int port) {}

    /** What an Ingress needs, for messages. */
    public static final String INGRESS_NEEDS =
            "a rule with a host (spec.rules[].host) and a path whose backend is a Service of the template"
                    + " (spec.rules[].http.paths[].backend.service.name)";

    /** What an HTTPRoute needs, for messages. */
    public static final String HTTP_ROUTE_NEEDS = "a host name (spec.hostnames[0], not a wildcard) and a rule whose"
            + " backendRefs name a Service of the template (spec.rules[].backendRefs[].name)";

    /**
     * The route of an Ingress.
     *
     * @param spec the Ingress's spec
     * @param services the names of the server's Services
     * @return the host and path of the first rule with a host and a path to one of the Services, or null
     */
    public static Route ofIngress(JsonNode spec, Set<String> services) {
        for (JsonNode rule : spec.path("rules")) {
            String host = rule.path("host").asText("");
            if (host.isBlank() || host.startsWith("*")) {
                continue;
            }
            for (JsonNode path : rule.path("http").path("paths")) {
                String backend =
                        path.path("backend").path("service").path("name").asText("");
                if (services.contains(backend)) {
                    return new Route(host, path(path.path("path").asText("")), tlsCovers(spec.path("tls"), host), 0);
                }
            }
        }
        return null;
    }

    /**
     * The route of an HTTPRoute.
     *
     * @param spec the HTTPRoute's spec
     * @param services the names of the server's Services
     * @return its first host name and the path of its first rule with a backendRef to one of the Services, or null
     */
    public static Route ofHttpRoute(JsonNode spec, Set<String> services) {
        String host = spec.path("hostnames").path(0).asText("");
        if (host.isBlank() || host.startsWith("*")) {
            return null;
        }
        for (JsonNode rule : spec.path("rules")) {
            for (JsonNode ref : rule.path("backendRefs")) {
                boolean service = "Service".equals(ref.path("kind").asText("Service"))
                        && ref.path("group").asText("").isEmpty();
                if (service && services.contains(ref.path("name").asText(""))) {
                    String path = rule.path("matches")
                            .path(0)
                            .path("path")
                            .path("value")
                            .asText("");
                    int port = spec.path("parentRefs").path(0).path("port").asInt(0);
                    return new Route(host, path(path), false, port);
                }
            }
        }
        return null;
    }

    private static String path(String path) {
        return path.isEmpty() ? "/" : path.startsWith("/") ? path : "/" + path;
    }

    /** An Ingress TLS entry without hosts covers every host; otherwise a host or a one-label wildcard must match. */
    private static boolean tlsCovers(JsonNode tls, String host) {
        for (JsonNode entry : tls) {
            JsonNode hosts = entry.path("hosts");
            if (!hosts.isArray() || hosts.isEmpty()) {
                return true;
            }
            for (JsonNode h : hosts) {
                String name = h.asText("");
                if (name.equals(host)
                        || (name.startsWith("*.")
                                && host.endsWith(name.substring(1))
                                && host.indexOf('.') == host.length() - name.length() + 1)) {
                    return true;
                }
            }
        }
        return false;
    }
}
