package org.jupyterhub.kubespawner.operator.it;

import io.fabric8.kubernetes.client.Config;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.jupyterhub.kubespawner.e2e.ControlPlane;
import org.jupyterhub.kubespawner.operator.runtime.NotebookOperator;
import org.jupyterhub.kubespawner.operator.runtime.OperatorConfig;

/** An operator running in the test JVM against the local control plane, watching the given namespaces. */
final class RunningOperator implements AutoCloseable {

    final NotebookOperator operator;
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final OperatorConfig config;

    private RunningOperator(ControlPlane cluster, OperatorConfig config) {
        this.config = config;
        Config base;
        try {
            base = Config.fromKubeconfig(Files.readString(cluster.kubeconfig()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        operator = NotebookOperator.create(NotebookOperator.client(base, config), config, registry, false);
        operator.start();
    }

    static RunningOperator start(ControlPlane cluster, Duration progressTimeout, String... namespaces) {
        return start(
                cluster,
                Map.of(
                        "JNO_PROGRESS_TIMEOUT",
                        progressTimeout.toMillis() + "ms",
                        "JNO_WATCH_NAMESPACES",
                        String.join(",", namespaces),
                        "JNO_HTTP_PORT",
                        "-1",
                        "JNO_IDENTITY",
                        "it"));
    }

    static RunningOperator start(ControlPlane cluster, Map<String, String> env) {
        return new RunningOperator(cluster, OperatorConfig.parse(env, new String[0]));
    }

    @Override
    public void close() {
        operator.close();
    }
}
