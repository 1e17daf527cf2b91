package org.jupyterhub.kubespawner.templating;

import java.util.ArrayList;
import java.util.List;
import org.jupyterhub.kubespawner.templating.core.FieldRule;
import org.jupyterhub.kubespawner.templating.core.FieldRule.Check;

/**
 * Which Kubernetes syntax rules apply where in each kind of template entry (paths relative to the entry:
 * {@code name}, {@code labels}, {@code annotations}, {@code spec...}). The API server would reject the same
 * things; checking them at render time names the template field and happens before anything is created.
 */
final class KindRules {

  private KindRules() {
  }

  private static final List<FieldRule> COMMON_RULES = List.of(
      new FieldRule("labels", Check.LABELS),
      new FieldRule("annotations", Check.ANNOTATIONS));

  static final List<FieldRule> POD_RULES = rules(Check.DNS1123_SUBDOMAIN,
      new FieldRule("spec.containers[*].name", Check.DNS1123_LABEL),
      new FieldRule("spec.initContainers[*].name", Check.DNS1123_LABEL),
      new FieldRule("spec.ephemeralContainers[*].name", Check.DNS1123_LABEL),
      new FieldRule("spec.volumes[*].name", Check.DNS1123_LABEL),
      new FieldRule("spec.volumes[*].persistentVolumeClaim.claimName", Check.DNS1123_SUBDOMAIN),
      new FieldRule("spec.serviceAccountName", Check.DNS1123_SUBDOMAIN),
      new FieldRule("spec.containers[*].resources.limits.*", Check.QUANTITY),
      new FieldRule("spec.containers[*].resources.requests.*", Check.QUANTITY),
      new FieldRule("spec.initContainers[*].resources.limits.*", Check.QUANTITY),
      new FieldRule("spec.initContainers[*].resources.requests.*", Check.QUANTITY),
      new FieldRule("spec.overhead.*", Check.QUANTITY),
      new FieldRule("spec.volumes[*].emptyDir.sizeLimit", Check.QUANTITY),
      new FieldRule("spec.*[*].*.httpGet.port", Check.INT_OR_STRING),
      new FieldRule("spec.*[*].*.tcpSocket.port", Check.INT_OR_STRING),
      new FieldRule("spec.*[*].lifecycle.*.httpGet.port", Check.INT_OR_STRING),
      new FieldRule("spec.*[*].lifecycle.*.tcpSocket.port", Check.INT_OR_STRING));

  static final List<FieldRule> CLAIM_RULES = rules(Check.DNS1123_SUBDOMAIN,
      new FieldRule("spec.selector.matchLabels", Check.LABELS),
      new FieldRule("spec.resources.requests.*", Check.QUANTITY),
      new FieldRule("spec.resources.limits.*", Check.QUANTITY));

  static final List<FieldRule> SERVICE_RULES = rules(Check.DNS1035_LABEL,
      new FieldRule("spec.selector", Check.LABELS),
      new FieldRule("spec.ports[*].targetPort", Check.INT_OR_STRING));

  static final List<FieldRule> NETWORK_POLICY_RULES = rules(Check.DNS1123_SUBDOMAIN,
      new FieldRule("spec.podSelector.matchLabels", Check.LABELS),
      new FieldRule("spec.ingress[*].from[*].podSelector.matchLabels", Check.LABELS),
      new FieldRule("spec.ingress[*].from[*].namespaceSelector.matchLabels", Check.LABELS),
      new FieldRule("spec.egress[*].to[*].podSelector.matchLabels", Check.LABELS),
      new FieldRule("spec.egress[*].to[*].namespaceSelector.matchLabels", Check.LABELS),
      new FieldRule("spec.ingress[*].ports[*].port", Check.INT_OR_STRING),
      new FieldRule("spec.egress[*].ports[*].port", Check.INT_OR_STRING));


  private static List<FieldRule> rules(Check nameCheck, FieldRule... more) {
    List<FieldRule> rules = new ArrayList<>(COMMON_RULES);
    rules.add(new FieldRule("name", nameCheck));
    rules.addAll(List.of(more));
    return List.copyOf(rules);
  }
}
