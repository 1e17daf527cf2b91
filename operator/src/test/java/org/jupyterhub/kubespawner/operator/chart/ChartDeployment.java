package org.jupyterhub.kubespawner.operator.chart;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.HashMap;
import java.util.Map;
import org.jupyterhub.kubespawner.e2e.HelmRelease;

/** The installed chart's operator Deployment, for tests that run the operator outside a pod as the chart would. */
public final class ChartDeployment {
    private ChartDeployment() {}

    /** The container's environment, with its downward-API fields resolved as the kubelet would for podName. */
    public static Map<String, String> environment(
            KubernetesClient admin, HelmRelease release, String namespace, String podName) {
        Deployment deployment = admin.apps()
                .deployments()
                .inNamespace(namespace)
                .withName(release.fullname())
                .get();
        Map<String, String> env = new HashMap<>();
        for (EnvVar var : deployment
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getEnv()) {
            if (var.getValueFrom() == null) {
                env.put(var.getName(), var.getValue() == null ? "" : var.getValue()); // the API drops empty values
            } else {
                String field = var.getValueFrom().getFieldRef().getFieldPath();
                env.put(
                        var.getName(),
                        switch (field) {
                            case "metadata.namespace" -> namespace;
                            case "metadata.name" -> podName;
                            default ->
                                throw new AssertionError(
                                        "unexpected downward-API field " + field + " in " + var.getName());
                        });
            }
        }
        return env;
    }
}
