package org.jupyterhub.kubespawner.templating;

import java.util.List;
import org.jupyterhub.kubespawner.templating.core.FieldRule;
import org.jupyterhub.kubespawner.templating.core.FieldRule.Check;

/**
 * Which Kubernetes syntax rules apply where in each kind of template entry. The API server would reject the same
 * things; checking them at render time names the template field and happens before anything is created.
 *
 * @param head rules for the entry without its spec ({@code name}, {@code labels}, {@code annotations})
 * @param spec rules relative to the entry's {@code spec}
 */
record KindRules(List<FieldRule> head, List<FieldRule> spec) {

    static final KindRules POD = new KindRules(
            head(Check.DNS1123_SUBDOMAIN),
            List.of(
                    new FieldRule("containers[*].name", Check.DNS1123_LABEL),
                    new FieldRule("initContainers[*].name", Check.DNS1123_LABEL),
                    new FieldRule("ephemeralContainers[*].name", Check.DNS1123_LABEL),
                    new FieldRule("volumes[*].name", Check.DNS1123_LABEL),
                    new FieldRule("volumes[*].persistentVolumeClaim.claimName", Check.DNS1123_SUBDOMAIN),
                    new FieldRule("serviceAccountName", Check.DNS1123_SUBDOMAIN),
                    new FieldRule("containers[*].resources.limits.*", Check.QUANTITY),
                    new FieldRule("containers[*].resources.requests.*", Check.QUANTITY),
                    new FieldRule("initContainers[*].resources.limits.*", Check.QUANTITY),
                    new FieldRule("initContainers[*].resources.requests.*", Check.QUANTITY),
                    new FieldRule("overhead.*", Check.QUANTITY),
                    new FieldRule("volumes[*].emptyDir.sizeLimit", Check.QUANTITY),
                    new FieldRule("*[*].*.httpGet.port", Check.INT_OR_STRING),
                    new FieldRule("*[*].*.tcpSocket.port", Check.INT_OR_STRING),
                    new FieldRule("*[*].lifecycle.*.httpGet.port", Check.INT_OR_STRING),
                    new FieldRule("*[*].lifecycle.*.tcpSocket.port", Check.INT_OR_STRING)));

    static final KindRules CLAIM = new KindRules(
            head(Check.DNS1123_SUBDOMAIN),
            List.of(
                    new FieldRule("selector.matchLabels", Check.LABELS),
                    new FieldRule("resources.requests.*", Check.QUANTITY),
                    new FieldRule("resources.limits.*", Check.QUANTITY)));

    static final KindRules SERVICE = new KindRules(
            head(Check.DNS1035_LABEL),
            List.of(
                    new FieldRule("selector", Check.LABELS),
                    new FieldRule("ports[*].targetPort", Check.INT_OR_STRING)));

    static final KindRules NETWORK_POLICY = new KindRules(
            head(Check.DNS1123_SUBDOMAIN),
            List.of(
                    new FieldRule("podSelector.matchLabels", Check.LABELS),
                    new FieldRule("ingress[*].from[*].podSelector.matchLabels", Check.LABELS),
                    new FieldRule("ingress[*].from[*].namespaceSelector.matchLabels", Check.LABELS),
                    new FieldRule("egress[*].to[*].podSelector.matchLabels", Check.LABELS),
                    new FieldRule("egress[*].to[*].namespaceSelector.matchLabels", Check.LABELS),
                    new FieldRule("ingress[*].ports[*].port", Check.INT_OR_STRING),
                    new FieldRule("egress[*].ports[*].port", Check.INT_OR_STRING)));

    private static List<FieldRule> head(Check nameCheck) {
        return List.of(
                new FieldRule("name", nameCheck),
                new FieldRule("labels", Check.LABELS),
                new FieldRule("annotations", Check.ANNOTATIONS));
    }
}
