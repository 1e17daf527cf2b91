package org.jupyterhub.kubespawner.operator.instance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.javaoperatorsdk.operator.OperatorException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jupyterhub.kubespawner.events.EventRecorder;
import org.jupyterhub.kubespawner.operator.OperatorMetrics;
import org.jupyterhub.kubespawner.operator.template.CompiledTemplates;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus.Phase;

/**
 * The JOSDK side of a reconcile, with a fake context and the in-memory cluster: when status is written, when the
 * audit trail gets a line, and what a failure does. The Events go to fabric8's mock API server.
 */
@EnableKubernetesMockClient(crud = true)
class InstanceReconcilerTest {

    static KubernetesClient client;

    private final FakeCluster cluster = new FakeCluster();
    private EventRecorder events;
    private InstanceReconciler reconciler;

    @BeforeEach
    void setUp() {
        events = EventRecorder.builder(client)
                .reportingController("test")
                .reportingInstance("test")
                .writeDelay(Duration.ZERO)
                .build();
        reconciler = new InstanceReconciler(
                events,
                new InstanceReconciler.Settings(
                        new CompiledTemplates(),
                        Duration.ofMinutes(5),
                        10,
                        InstanceReconcileTest.HUB_LABEL,
                        new OperatorMetrics(new SimpleMeterRegistry()),
                        Clock.fixed(Instant.parse("2026-01-01T10:00:30Z"), ZoneOffset.UTC)),
                cluster);
        cluster.template(InstanceReconcileTest.template(null));
        cluster.secret(
                "hub",
                "jupyter-ada",
                Map.of(
                        "app.kubernetes.io/managed-by", "notebookinstance-spawner",
                        "kubespawner.jupyterhub.org/instance", "jupyter-ada"));
    }

    @AfterEach
    void tearDown() {
        events.close();
        client.resources(Event.class).inAnyNamespace().delete();
    }

    @SuppressWarnings("unchecked")
    private static Context<JupyterNotebookInstance> context(boolean deleted, boolean lastAttempt) {
        return (Context<JupyterNotebookInstance>) Proxy.newProxyInstance(
                InstanceReconcilerTest.class.getClassLoader(),
                new Class<?>[] {Context.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "isPrimaryResourceDeleted" -> deleted;
                    case "getRetryInfo" ->
                        Optional.of(new io.javaoperatorsdk.operator.api.reconciler.RetryInfo() {
                            @Override
                            public int getAttemptCount() {
                                return 1;
                            }

                            @Override
                            public boolean isLastAttempt() {
                                return lastAttempt;
                            }
                        });
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static JupyterNotebookInstance ada() {
        JupyterNotebookInstance ada = InstanceReconcileTest.instance("jupyter-ada", "ada", "Ada");
        ada.getMetadata().setResourceVersion("10");
        return ada;
    }

    private List<String> reasons() {
        return client.resources(Event.class).inNamespace("hub").list().getItems().stream()
                .map(e -> e.getType() + "/" + e.getReason())
                .toList();
    }

    @Test
    void aStaleCacheAfterAStatusWriteWritesNothingTwiceAndTellsNothingTwice() {
        JupyterNotebookInstance ada = ada();
        UpdateControl<JupyterNotebookInstance> first = reconciler.reconcile(ada, context(false, false));
        assertThat(first.isPatchStatus()).isTrue();
        assertThat(first.getResource().orElseThrow().getStatus().getPhase()).isEqualTo(Phase.PROVISIONING);
        await().untilAsserted(() -> assertThat(reasons()).contains("Normal/TemplateFound"));

        // A pod event wakes the instance before the informer has the written status: the same old object again.
        UpdateControl<JupyterNotebookInstance> second = reconciler.reconcile(ada(), context(false, false));

        assertThat(second.isPatchStatus())
                .as("no second write of the same status")
                .isFalse();
        assertThat(second.isNoUpdate()).isTrue();
        await().pollDelay(Duration.ofMillis(300))
                .untilAsserted(() -> assertThat(reasons())
                        .filteredOn(r -> r.equals("Normal/TemplateFound"))
                        .hasSize(1));
    }

    @Test
    void aFailedCreateIsWrittenAndToldThroughTheAggregator() {
        cluster.createFailures.put("Pod", new KubernetesClientException("exceeded quota", 403, null));
        JupyterNotebookInstance ada = ada();
        Exception failure;
        try {
            reconciler.reconcile(ada, context(false, false));
            throw new AssertionError("expected the create failure");
        } catch (InstanceReconcile.CreateRetrying e) {
            failure = new OperatorException(e); // as JOSDK hands it over
        }

        ErrorStatusUpdateControl<JupyterNotebookInstance> control =
                reconciler.updateErrorStatus(ada(), context(false, true), failure);

        assertThat(control.getResource()).isPresent();
        assertThat(control.getResource().get().getStatus().getConditions()).hasSize(4);
        assertThat(control.getScheduleDelay()).contains(Duration.ofMinutes(1).toMillis());
        await().untilAsserted(() -> assertThat(reasons()).contains("Warning/CreateRetrying"));
    }

    @Test
    void anyOtherFailureChangesNeitherStatusNorTheAuditTrail() {
        ErrorStatusUpdateControl<JupyterNotebookInstance> control = reconciler.updateErrorStatus(
                ada(), context(false, false), new KubernetesClientException("etcd timeout", 500, null));

        assertThat(control.isDefaultErrorProcessing()).isTrue();
        await().pollDelay(Duration.ofMillis(300))
                .untilAsserted(() -> assertThat(reasons()).isEmpty());
    }

    @Test
    void aWriteRaceIsRetriedQuietlyAndAWriteToADeletedInstanceIsDropped() {
        assertThat(reconciler
                        .updateErrorStatus(
                                ada(), context(false, false), new KubernetesClientException("conflict", 409, null))
                        .isDefaultErrorProcessing())
                .isTrue();
        ErrorStatusUpdateControl<JupyterNotebookInstance> gone = reconciler.updateErrorStatus(
                ada(), context(false, false), new KubernetesClientException("not found", 404, null));
        assertThat(gone.isNoRetry()).isTrue();
        assertThat(gone.getResource()).isEmpty();
    }

    @Test
    void theDeleteEventTellsTheRetainedClaims() {
        JupyterNotebookInstance ada = ada();
        ada.setStatus(reconciler
                .reconcile(ada, context(false, false))
                .getResource()
                .orElseThrow()
                .getStatus());

        assertThat(reconciler.reconcile(ada, context(true, false)).isNoUpdate()).isTrue();

        await().untilAsserted(() -> assertThat(reasons()).contains("Normal/ClaimRetained"));
    }
}
