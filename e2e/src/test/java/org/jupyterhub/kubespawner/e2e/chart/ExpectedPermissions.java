package org.jupyterhub.kubespawner.e2e.chart;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** What the chart means to grant, written independently of the chart's templates (docs/helm-chart.md). */
final class ExpectedPermissions {

    /** The hub, in each of its namespaces. */
    static final Map<String, String> HUB = Map.of(
            "jupyternotebookinstances.kubespawner.jupyterhub.org", "create get list watch delete",
            "jupyternotebookinstancetemplates.kubespawner.jupyterhub.org", "get list watch",
            "events", "get list watch",
            "events.events.k8s.io", "get list watch",
            "secrets", "create delete");

    /** The operator, in each watched namespace (or everywhere when it watches all). */
    static final Map<String, String> OPERATOR = Map.ofEntries(
            Map.entry("pods", "get list watch create"),
            Map.entry("services", "get list watch create"),
            Map.entry("persistentvolumeclaims", "get list watch create"),
            Map.entry("networkpolicies.networking.k8s.io", "get list watch create"),
            Map.entry("secrets", "get"),
            Map.entry("jupyternotebookinstances.kubespawner.jupyterhub.org", "get list watch"),
            Map.entry("jupyternotebookinstances.kubespawner.jupyterhub.org/status", "patch"),
            Map.entry("jupyternotebookinstances.kubespawner.jupyterhub.org/finalizers", "update"),
            Map.entry("jupyternotebookinstancetemplates.kubespawner.jupyterhub.org", "get list watch"),
            Map.entry("jupyternotebookinstancetemplates.kubespawner.jupyterhub.org/status", "patch"),
            Map.entry("events.events.k8s.io", "create patch"));

    private ExpectedPermissions() {}

    /** Each "resource -> verbs" entry as the matrix's "verb resource" strings. */
    static Set<String> expand(Map<String, String> verbsByResource) {
        Set<String> out = new TreeSet<>();
        verbsByResource.forEach((resource, verbs) -> {
            for (String verb : verbs.split(" ")) {
                out.add(Permission.of(verb, resource).toString());
            }
        });
        return out;
    }
}
