package org.jupyterhub.kubespawner.e2e.chart;

import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What an identity may do, asked of the API server itself: one SelfSubjectAccessReview per verb and resource, made
 * with that identity's own token (so the answer is RBAC's, for exactly that ServiceAccount).
 */
final class PermissionMatrix {

    static final List<String> VERBS =
            List.of("get", "list", "watch", "create", "update", "patch", "delete", "deletecollection");

    /** Every resource the matrix asks about: what the chart grants, and what an attacker would want. */
    static final List<String> RESOURCES = List.of(
            "pods",
            "pods/exec",
            "pods/attach",
            "pods/portforward",
            "pods/log",
            "services",
            "persistentvolumeclaims",
            "secrets",
            "configmaps",
            "serviceaccounts",
            "serviceaccounts/token",
            "events",
            "events.events.k8s.io",
            "networkpolicies.networking.k8s.io",
            "deployments.apps",
            "jobs.batch",
            "jupyternotebookinstances.kubespawner.jupyterhub.org",
            "jupyternotebookinstances.kubespawner.jupyterhub.org/status",
            "jupyternotebookinstances.kubespawner.jupyterhub.org/finalizers",
            "jupyternotebookinstancetemplates.kubespawner.jupyterhub.org",
            "jupyternotebookinstancetemplates.kubespawner.jupyterhub.org/status",
            "leases.coordination.k8s.io",
            "roles.rbac.authorization.k8s.io",
            "rolebindings.rbac.authorization.k8s.io",
            "validatingadmissionpolicies.admissionregistration.k8s.io",
            "jupyternotebookaccesses.kubespawner.jupyterhub.org",
            "jupyternotebookquotas.kubespawner.jupyterhub.org");

    private final Map<Permission, Boolean> answers = new LinkedHashMap<>();
    private final String identity;
    private final String namespace;

    private PermissionMatrix(String identity, String namespace) {
        this.identity = identity;
        this.namespace = namespace;
    }

    /**
     * Asks the API server about every verb on every resource (plus any extra permissions) in one namespace.
     *
     * @param client a client authenticated as the identity
     * @param identity its name for the printout
     * @param namespace where to ask
     * @param extra further permissions, e.g. one named Lease
     */
    static PermissionMatrix ask(KubernetesClient client, String identity, String namespace, List<Permission> extra) {
        PermissionMatrix matrix = new PermissionMatrix(identity, namespace);
        List<Permission> all = new ArrayList<>();
        for (String resource : RESOURCES) {
            for (String verb : VERBS) {
                all.add(Permission.of(verb, resource));
            }
        }
        all.addAll(extra);
        for (Permission p : all) {
            SelfSubjectAccessReview review = client.authorization()
                    .v1()
                    .selfSubjectAccessReview()
                    .create(new SelfSubjectAccessReviewBuilder()
                            .withNewSpec()
                            .withNewResourceAttributes()
                            .withNamespace(namespace)
                            .withVerb(p.verb())
                            .withGroup(p.group())
                            .withResource(p.resource())
                            .withSubresource(p.subresource())
                            .withName(p.name())
                            .endResourceAttributes()
                            .endSpec()
                            .build());
            matrix.answers.put(p, review.getStatus().getAllowed());
        }
        return matrix;
    }

    /** @return every permission the identity has, as "verb target" strings */
    Set<String> allowed() {
        Set<String> allowed = new TreeSet<>();
        answers.forEach((p, yes) -> {
            if (yes) {
                allowed.add(p.toString());
            }
        });
        return allowed;
    }

    /** The matrix as a table: one line per resource, one column per verb (+ allowed, - denied). */
    String table() {
        Map<String, Map<String, Boolean>> rows = new LinkedHashMap<>();
        Set<String> verbs = new LinkedHashSet<>(VERBS);
        answers.forEach((p, yes) -> {
            rows.computeIfAbsent(p.target(), t -> new LinkedHashMap<>()).put(p.verb(), yes);
            verbs.add(p.verb());
        });
        int width = rows.keySet().stream().mapToInt(String::length).max().orElse(10);
        StringBuilder out = new StringBuilder();
        out.append("permission matrix of ")
                .append(identity)
                .append(" in namespace ")
                .append(namespace)
                .append(" (+ allowed, - denied; asked with its own token)\n");
        out.append(String.format("%-" + width + "s", "resource"));
        for (String verb : verbs) {
            out.append(String.format(" %-7s", verb.length() > 7 ? verb.substring(0, 7) : verb));
        }
        out.append('\n');
        rows.forEach((target, byVerb) -> {
            out.append(String.format("%-" + width + "s", target));
            for (String verb : verbs) {
                Boolean yes = byVerb.get(verb);
                out.append(String.format(" %-7s", yes == null ? "" : yes ? "+" : "-"));
            }
            out.append('\n');
        });
        return out.toString();
    }
}
