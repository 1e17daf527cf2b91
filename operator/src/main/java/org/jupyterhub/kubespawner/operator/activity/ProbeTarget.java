package org.jupyterhub.kubespawner.operator.activity;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;

/**
 * Where and how to probe one server.
 *
 * @param uri the URL to GET (always the pod's own IP and port: see {@link #uri})
 * @param tokenNamespace the namespace of the token's Secret (the template's)
 * @param tokenSecret the Secret's name
 * @param tokenKey the key holding the token
 * @param interval how often to probe
 * @param timeout how long one probe may take
 * @param resolution how far the last activity must move before a reconcile is worth it
 * @param idleLimit the idle limit, or null: a reconcile is also worth it once the server is idle that long
 */
public record ProbeTarget(
        URI uri,
        String tokenNamespace,
        String tokenSecret,
        String tokenKey,
        Duration interval,
        Duration timeout,
        Duration resolution,
        Duration idleLimit) {

    /** The default path, relative to the server's base URL (jupyter-server's status). */
    public static final String DEFAULT_PATH = "api/status";

    /**
     * The probe's URL: http, the pod's IP and the port, and the path, resolved against the base path when relative.
     * The base path comes from the instance (the hub's JUPYTERHUB_SERVICE_PREFIX); built with URI's component
     * constructor, so no base or path can change the host or port the token is sent to.
     *
     * @param podIP the notebook pod's IP (v4 or v6)
     * @param port the port
     * @param path the template's path, or null for {@link #DEFAULT_PATH}
     * @param basePath the server's base path, or null for /
     * @return the URL
     * @throws IllegalArgumentException when the result is not a valid URL
     */
    public static URI uri(String podIP, int port, String path, String basePath) {
        String p = path == null || path.isEmpty() ? DEFAULT_PATH : path;
        if (!p.startsWith("/")) {
            String base = basePath == null || basePath.isEmpty() ? "/" : basePath;
            base = (base.startsWith("/") ? "" : "/") + base + (base.endsWith("/") ? "" : "/");
            p = base + p;
        }
        try {
            URI uri = new URI("http", null, podIP, port, p, null, null);
            if (!podIP.equals(stripBrackets(uri.getHost())) || uri.getPort() != port) {
                throw new IllegalArgumentException("the probe's URL would not address " + podIP + ":" + port);
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("the probe's path is not a valid URL path: " + e.getMessage(), e);
        }
    }

    private static String stripBrackets(String host) {
        return host != null && host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }
}
