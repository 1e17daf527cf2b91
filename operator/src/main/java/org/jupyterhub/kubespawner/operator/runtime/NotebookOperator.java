package org.jupyterhub.kubespawner.operator.runtime;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.RegisteredController;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.javaoperatorsdk.operator.processing.Controller;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jupyterhub.kubespawner.events.EventRecorder;
import org.jupyterhub.kubespawner.operator.InstancePhases;
import org.jupyterhub.kubespawner.operator.OperatorMetrics;
import org.jupyterhub.kubespawner.operator.instance.InstanceReconciler;
import org.jupyterhub.kubespawner.operator.quota.QuotaNudger;
import org.jupyterhub.kubespawner.operator.template.CompiledTemplates;
import org.jupyterhub.kubespawner.operator.template.TemplateReconciler;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole operator, wired: the fabric8 client (rate limited), the Event recorder, both reconcilers, JOSDK's
 * metrics and leader election. {@link Main} runs one; integration tests run one (or two) in their own JVM.
 */
public final class NotebookOperator implements AutoCloseable {

    /** The Events' reportingController. */
    public static final String REPORTING_CONTROLLER = "kubespawner.jupyterhub.org/operator";

    private static final Logger LOG = LoggerFactory.getLogger(NotebookOperator.class);
    private static final Path SERVICE_ACCOUNT_NAMESPACE =
            Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");

    private final KubernetesClient client;
    private final EventRecorder events;
    private final Operator operator;
    private final AtomicBoolean stopping;
    private final QuotaNudger quotas;

    private NotebookOperator(
            KubernetesClient client,
            EventRecorder events,
            Operator operator,
            AtomicBoolean stopping,
            QuotaNudger quotas) {
        this.client = client;
        this.events = events;
        this.operator = operator;
        this.stopping = stopping;
        this.quotas = quotas;
    }

    /**
     * A client for the operator: the given connection settings plus the configured rate limits, reading objects
     * trimmed to what the operator uses ({@link TrimmedReads}), without fabric8's per-request kubeconfig re-reads
     * for certificate credentials ({@link TokenRefresh}).
     *
     * @param base connection settings (from KUBECONFIG or in-cluster)
     * @param config the operator's settings
     * @return a new client, closed with the operator
     */
    public static KubernetesClient client(Config base, OperatorConfig config) {
        return client(base, config, null);
    }

    /**
     * The operator's client, its requests timed into {@code registry} ({@code jno_api_requests_seconds}).
     *
     * @param base connection settings (from the kubeconfig or the in-cluster service account)
     * @param config the operator's settings
     * @param registry where request metrics go; null for none
     * @return a new client, closed with the operator
     */
    public static KubernetesClient client(Config base, OperatorConfig config, MeterRegistry registry) {
        ClientRateLimiter limiter =
                new ClientRateLimiter(config.clientQps(), config.clientBurst(), config.eventQps(), config.eventBurst());
        return new KubernetesClientBuilder()
                .withConfig(base)
                .withKubernetesSerialization(TrimmedReads.serialization())
                .withHttpClientBuilderConsumer(b -> {
                    b.addOrReplaceInterceptor("jno-rate-limit", limiter);
                    if (registry != null) {
                        b.addOrReplaceInterceptor("jno-request-metrics", new ApiRequestMetrics(registry));
                    }
                    TokenRefresh.skipWhenNothingToRefresh(base, b);
                })
                .build();
    }

    /**
     * Wires an operator; {@link #start()} starts it.
     *
     * @param client the client (closed by {@link #close()})
     * @param config the settings
     * @param registry where metrics go
     * @param exitOnLostLeadership whether losing the Lease ends the process (true in production: a restarted replica
     *     starts clean; false in tests running several operators in one JVM)
     * @return the operator
     */
    public static NotebookOperator create(
            KubernetesClient client, OperatorConfig config, MeterRegistry registry, boolean exitOnLostLeadership) {
        EventRecorder events = EventRecorder.builder(client)
                .reportingController(REPORTING_CONTROLLER)
                .reportingInstance(config.identity())
                .writeDelay(config.eventDelay())
                .build();
        OperatorMetrics metrics = new OperatorMetrics(registry);
        metrics.eventRecorder(events);
        AtomicBoolean stopping = new AtomicBoolean();
        Operator operator = new Operator(o -> {
            o.withKubernetesClient(client)
                    .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(registry))
                    .withConcurrentReconciliationThreads(config.reconcileConcurrency())
                    .withCloseClientOnStop(false)
                    .withReconciliationTerminationTimeout(Duration.ofSeconds(10));
            if (config.leaderElection()) {
                o.withLeaderElectionConfiguration(new LeaderElectionConfiguration(
                        config.leaseName(),
                        leaseNamespace(config),
                        LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
                        LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
                        LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE,
                        config.identity(),
                        exitOnLostLeadership ? exitWhenLeaseLost(stopping) : null,
                        false));
            }
        });
        CompiledTemplates templates = new CompiledTemplates(config.allowlist());
        Clock clock = Clock.systemUTC();
        operator.register(new TemplateReconciler(events, templates, metrics, clock), namespaces(config));
        RegisteredController<JupyterNotebookInstance> instances = operator.register(
                new InstanceReconciler(
                        events,
                        new InstanceReconciler.Settings(
                                templates,
                                config.progressTimeout(),
                                config.maxConcurrentSpawns(),
                                config.hubSecretLabel().toString(),
                                metrics,
                                clock)),
                namespaces(config));
        if (instances instanceof Controller<JupyterNotebookInstance> controller) {
            // jno_instances{phase}, counted from the cache the controller keeps anyway
            InstancePhases.register(
                    registry,
                    () -> controller
                            .getEventSourceManager()
                            .getControllerEventSource()
                            .list(i -> true));
        }
        // Every 15 s for up to 10 minutes: by then the quota controller's periodic resync has counted them anyway.
        QuotaNudger quotas = new QuotaNudger(client, events, config.instanceQuotas(), Duration.ofSeconds(15), 40);
        return new NotebookOperator(client, events, operator, stopping, quotas);
    }

    /**
     * Ends the process when the Lease is lost, so a fresh replica starts clean; but not when the Lease goes because
     * we are stopping anyway. JOSDK's own exit-on-lost-lease calls System.exit on the elector's thread, and when a
     * SIGTERM's shutdown hook stops the elector, that exit waits for the very hook that waits for it: the process
     * hung until SIGKILL (found by the leader benchmark).
     */
    private static LeaderCallbacks exitWhenLeaseLost(AtomicBoolean stopping) {
        return new LeaderCallbacks(
                () -> {},
                () -> {
                    if (!stopping.get()) {
                        LOG.error("lost the Lease: exiting so that a fresh replica takes over");
                        Thread exit = new Thread(() -> System.exit(1), "exit-after-lost-lease");
                        exit.setDaemon(true);
                        exit.start();
                    }
                },
                leader -> {});
    }

    private static <R extends io.fabric8.kubernetes.api.model.HasMetadata>
            Consumer<ControllerConfigurationOverrider<R>> namespaces(OperatorConfig config) {
        return o -> {
            o.withInformerListLimit(InstanceReconciler.LIST_PAGE_SIZE);
            if (config.watchNamespaces().isEmpty()) {
                o.watchingAllNamespaces();
            } else {
                o.settingNamespaces(config.watchNamespaces());
            }
        };
    }

    private static String leaseNamespace(OperatorConfig config) {
        if (config.leaseNamespace() != null) {
            return config.leaseNamespace();
        }
        try {
            if (Files.isReadable(SERVICE_ACCOUNT_NAMESPACE)) {
                return Files.readString(SERVICE_ACCOUNT_NAMESPACE).trim();
            }
        } catch (java.io.IOException e) {
            LOG.debug("cannot read the service account namespace", e);
        }
        return "default";
    }

    /** Starts the informers and controllers (after winning the Lease when leader election is on). */
    public void start() {
        quotas.start();
        operator.start();
    }

    /** @return true once started and every informer is healthy */
    public boolean ready() {
        return operator.getRuntimeInfo().isStarted()
                && operator.getRuntimeInfo().allEventSourcesAreHealthy();
    }

    /** @return false when started and some informer is unhealthy (the process should be restarted) */
    public boolean healthy() {
        return !operator.getRuntimeInfo().isStarted()
                || operator.getRuntimeInfo().allEventSourcesAreHealthy();
    }

    /** @return the client */
    public KubernetesClient client() {
        return client;
    }

    /** Stops the controllers, writes pending Events and closes the client. */
    @Override
    public void close() {
        stopping.set(true);
        try {
            operator.stop();
        } catch (RuntimeException e) {
            LOG.warn("operator did not stop cleanly: {}", e.toString());
        }
        quotas.close();
        events.close();
        client.close();
    }
}
