package org.jupyterhub.kubespawner.operator.instance;

import java.util.Map;
import java.util.regex.Pattern;
import org.jupyterhub.kubespawner.operator.template.TemplateResolution;

/**
 * The URL the hub reaches a ready notebook server at ({@code status.url}): the pod's IP and port, unless the template
 * declares another way in its annotation {@value #ANNOTATION} (a hub in another cluster reaching the server through
 * an Ingress host or a load balancer, docs/multi-cluster.md). The pattern may use {@code {podName}}, {@code {podIP}}
 * and {@code {port}} only: values the operator knows, none a user chooses. A pattern that does not make an http(s)
 * URL is ignored (the pod's address is reported) and named in the status message. A template's
 * {@code spec.serverUrlFrom} ({@link ServerAddress}) comes before both.
 */
final class ServerUrl {

    /** The template annotation holding the URL pattern. */
    static final String ANNOTATION = "kubespawner.jupyterhub.org/server-url";

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z]+)}");
    private static final Pattern HTTP_URL = Pattern.compile("https?://[^\\s{}]+");

    /**
     * The URL, and the problem with the template's pattern (null when there is none).
     *
     * @param url the URL the hub should use
     * @param problem why the template's pattern was not used, or null
     */
    record Choice(String url, String problem) {}

    private ServerUrl() {}

    static Choice of(TemplateResolution resolution, String podName, String podIP, int port) {
        String host = podIP.contains(":") ? "[" + podIP + "]" : podIP;
        String direct = "http://" + host + ":" + port;
        String pattern = resolution instanceof TemplateResolution.Resolved r
                        && r.template().getMetadata().getAnnotations() != null
                ? r.template().getMetadata().getAnnotations().get(ANNOTATION)
                : null;
        if (pattern == null || pattern.isBlank()) {
            return new Choice(direct, null);
        }
        Map<String, String> values = Map.of("podName", podName, "podIP", host, "port", Integer.toString(port));
        StringBuilder url = new StringBuilder();
        var m = PLACEHOLDER.matcher(pattern.strip());
        while (m.find()) {
            String value = values.get(m.group(1));
            if (value == null) {
                return new Choice(
                        direct,
                        "annotation " + ANNOTATION + " uses {" + m.group(1) + "}; allowed: {podName}, {podIP}, {port}");
            }
            m.appendReplacement(url, java.util.regex.Matcher.quoteReplacement(value));
        }
        m.appendTail(url);
        if (!HTTP_URL.matcher(url).matches()) {
            return new Choice(direct, "annotation " + ANNOTATION + " does not make an http(s) URL: " + url);
        }
        return new Choice(url.toString(), null);
    }
}
