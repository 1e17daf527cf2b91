package org.jupyterhub.kubespawner.operator.runtime;

import io.fabric8.kubernetes.client.Config;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar jupyter-notebook-operator.jar [--flag=value ...]}: runs the operator until SIGTERM;
 * {@code ... self-check [flags]} checks an installed release instead ({@link SelfCheck}, the chart's helm test).
 */
public final class Main {

    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private Main() {}

    /**
     * Runs the operator.
     *
     * @param args flags, see {@code --help}
     * @throws Exception when it cannot start
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && SelfCheck.COMMAND.equals(args[0])) {
            System.exit(SelfCheck.run(Arrays.copyOfRange(args, 1, args.length), System.out));
            return;
        }
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            System.out.print(OperatorConfig.help());
            return;
        }
        OperatorConfig config;
        try {
            config = OperatorConfig.parse(System.getenv(), args);
        } catch (IllegalArgumentException e) {
            System.err.println("jupyter-notebook-operator: " + e.getMessage());
            System.exit(2);
            return;
        }
        LOG.info("starting: {}", config);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // Config.autoConfigure: KUBECONFIG, ~/.kube/config, or the in-cluster service account.
        NotebookOperator operator = NotebookOperator.create(
                NotebookOperator.client(Config.autoConfigure(null), config, registry), config, registry, true);
        HealthServer health = config.httpPort() < 0
                ? null
                : new HealthServer(config.httpPort(), operator::healthy, operator::ready, registry);
        if (health != null) {
            LOG.info("serving /healthz /readyz /metrics on port {}", health.port());
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            LOG.info("stopping");
                            operator.close();
                            if (health != null) {
                                health.close();
                            }
                            stopped.countDown();
                        },
                        "shutdown"));
        try {
            operator.start();
        } catch (RuntimeException e) {
            // E.g. the CRDs are not installed, or the API server refuses the service account: say so and exit non-zero
            // (the shutdown hook closes what was opened) rather than linger half-started.
            LOG.error("cannot start: {}", e.toString(), e);
            System.exit(1);
        }
        LOG.info(
                "started; watching {}",
                config.watchNamespaces().isEmpty() ? "all namespaces" : config.watchNamespaces());
        stopped.await();
    }
}
