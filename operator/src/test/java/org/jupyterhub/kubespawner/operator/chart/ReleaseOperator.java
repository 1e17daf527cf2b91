package org.jupyterhub.kubespawner.operator.chart;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.HashMap;
import java.util.Map;
import org.jupyterhub.kubespawner.e2e.ControlPlane;
import org.jupyterhub.kubespawner.e2e.HelmRelease;
import org.jupyterhub.kubespawner.operator.runtime.NotebookOperator;
import org.jupyterhub.kubespawner.operator.runtime.OperatorConfig;

/**
 * The operator of a chart release, run in the test's JVM with the release's ServiceAccount token: what the chart's
 * RBAC grants it is all it can do, as in a real install.
 */
final class ReleaseOperator {

    private ReleaseOperator() {}

    /**
     * Starts it.
     *
     * @param cluster the control plane
     * @param release the installed release
     * @param namespace the namespace it watches
     * @param settings further operator settings (environment variable names), e.g. JNO_MAX_CONCURRENT_SPAWNS
     * @return the started operator (close it after the tests)
     */
    static NotebookOperator start(
            ControlPlane cluster, HelmRelease release, String namespace, Map<String, String> settings) {
        Map<String, String> env = new HashMap<>(settings);
        env.putAll(Map.of("JNO_WATCH_NAMESPACES", namespace, "JNO_HTTP_PORT", "-1", "JNO_IDENTITY", "it"));
        return start(cluster, release, namespace, OperatorConfig.parse(env, new String[0]));
    }

    /**
     * The configuration the chart gives its operator: the installed Deployment's environment (its allowlist, quota
     * names and so on), without the HTTP server and leader election of a pod.
     *
     * @param cluster the control plane
     * @param release the installed release
     * @param namespace the release's namespace
     * @return the configuration
     */
    static OperatorConfig chartConfig(ControlPlane cluster, HelmRelease release, String namespace) {
        Map<String, String> env =
                new HashMap<>(ChartDeployment.environment(cluster.admin(), release, namespace, "jno-operator-it"));
        env.putAll(Map.of("JNO_HTTP_PORT", "-1", "JNO_IDENTITY", "it", "JNO_LEADER_ELECTION", "false"));
        return OperatorConfig.parse(env, new String[0]);
    }

    /**
     * Starts it with a given configuration.
     *
     * @param cluster the control plane
     * @param release the installed release
     * @param namespace the namespace whose release ServiceAccount it acts as
     * @param config its configuration, e.g. {@link #chartConfig}
     * @return the started operator (close it after the tests)
     */
    static NotebookOperator start(ControlPlane cluster, HelmRelease release, String namespace, OperatorConfig config) {
        KubernetesClient asRelease = cluster.clientFor(namespace, release.fullname());
        NotebookOperator operator = NotebookOperator.create(
                NotebookOperator.client(asRelease.getConfiguration(), config),
                config,
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                false);
        operator.start();
        return operator;
    }
}
