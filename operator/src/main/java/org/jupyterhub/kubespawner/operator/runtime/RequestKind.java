package org.jupyterhub.kubespawner.operator.runtime;

import java.util.List;

/**
 * What a request to the API server is, in Kubernetes' terms: its verb ({@code get}, {@code list}, {@code watch},
 * {@code create}, {@code update}, {@code patch}, {@code delete}, {@code deletecollection}) and the resource type
 * with its subresource ({@code pods}, {@code jupyternotebookinstances/status}), as the API server's audit log
 * names them. Object names and namespaces are left out, so metrics labelled with it stay few.
 *
 * @param verb the Kubernetes verb
 * @param resource the resource type, {@code /subresource} appended; {@code other} for non-resource paths
 */
record RequestKind(String verb, String resource) {

    /**
     * @param method the HTTP method
     * @param path the raw path, e.g. {@code /apis/g/v1/namespaces/ns/things/name/status}
     * @param query the raw query, or null
     * @return what the request is
     */
    static RequestKind of(String method, String path, String query) {
        List<String> parts = segments(path);
        // /api/v1/... or /apis/group/version/...
        int start = parts.isEmpty() ? 0 : "api".equals(parts.get(0)) ? 2 : "apis".equals(parts.get(0)) ? 3 : -1;
        if (start < 0 || parts.size() <= start) {
            return new RequestKind(method.toLowerCase(java.util.Locale.ROOT), "other");
        }
        List<String> rest = parts.subList(start, parts.size());
        if (rest.size() >= 3 && "namespaces".equals(rest.get(0))) {
            rest = rest.subList(2, rest.size()); // namespaced: skip namespaces/<ns>
        }
        String resource = rest.get(0);
        boolean named = rest.size() >= 2;
        if (rest.size() >= 3) {
            resource += "/" + rest.get(2);
        }
        boolean watch = query != null && (query.contains("watch=true") || query.contains("watch=1"));
        String verb = switch (method.toUpperCase(java.util.Locale.ROOT)) {
            case "GET" -> watch ? "watch" : named ? "get" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> named ? "delete" : "deletecollection";
            default -> method.toLowerCase(java.util.Locale.ROOT);
        };
        return new RequestKind(verb, resource);
    }

    private static List<String> segments(String path) {
        if (path == null) {
            return List.of();
        }
        return java.util.Arrays.stream(path.split("/"))
                .filter(s -> !s.isEmpty())
                .toList();
    }
}
