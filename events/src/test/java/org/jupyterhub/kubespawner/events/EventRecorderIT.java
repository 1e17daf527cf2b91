package org.jupyterhub.kubespawner.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.api.model.events.v1.EventBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.jupyterhub.kubespawner.e2e.CommandResult;
import org.jupyterhub.kubespawner.e2e.ControlPlane;
import org.jupyterhub.kubespawner.events.AuditLogCapture.Line;

/**
 * The recorder against the real local control plane: the API server's own validation accepts what it writes,
 * kubectl finds the events, series grow, and the documented RBAC (create + patch, nothing else) is enough.
 */
class EventRecorderIT {

    @RegisterExtension
    static final ControlPlane cluster = ControlPlane.perClass();

    private static final String CONTROLLER = "kubespawner.jupyterhub.org/operator";
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private static ConfigMap createConfigMap(String name) {
        return cluster.admin()
                .configMaps()
                .inNamespace(cluster.namespace())
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .endMetadata()
                        .addToData("k", "v")
                        .build())
                .create();
    }

    private static List<Event> eventsRegarding(String name) {
        return cluster.admin()
                .events()
                .v1()
                .events()
                .inNamespace(cluster.namespace())
                .withField("regarding.name", name)
                .list()
                .getItems();
    }

    private static EventRecorder recorder(KubernetesClient client, String instance) {
        return recorder(client, instance, Clock.systemUTC());
    }

    private static EventRecorder recorder(KubernetesClient client, String instance, Clock clock) {
        return EventRecorder.builder(client)
                .reportingController(CONTROLLER)
                .reportingInstance(instance)
                .clock(clock)
                .build();
    }

    @Test
    void kubectlShowsTheEventsAndTheSeriesCountGrows() {
        ConfigMap target = createConfigMap("target");
        ConfigMap template = createConfigMap("template");
        try (EventRecorder recorder = recorder(cluster.admin(), "it-0")) {
            recorder.record(
                    target, template, EventType.NORMAL, "TemplateResolved", "Resolve", "resolved from template");
            for (int i = 0; i < 3; i++) {
                recorder.record(target, EventType.WARNING, "ImageDenied", "Admit", "image evil:latest is not allowed");
            }
            await().atMost(PATIENCE).until(() -> recorder.stats().recorded() == 4);
            assertThat(recorder.stats().dropped()).isZero();
        }

        List<Event> events = eventsRegarding("target");
        assertThat(events).hasSize(2);
        Event denied = events.stream()
                .filter(e -> e.getReason().equals("ImageDenied"))
                .findFirst()
                .orElseThrow();
        assertThat(denied.getSeries().getCount()).isEqualTo(3);
        assertThat(denied.getRegarding().getUid())
                .isEqualTo(target.getMetadata().getUid());
        assertThat(denied.getRegarding().getResourceVersion())
                .isEqualTo(target.getMetadata().getResourceVersion());
        assertThat(denied.getReportingController()).isEqualTo(CONTROLLER);
        Event resolved = events.stream()
                .filter(e -> e.getReason().equals("TemplateResolved"))
                .findFirst()
                .orElseThrow();
        assertThat(resolved.getRelated().getName()).isEqualTo("template");
        assertThat(resolved.getSeries()).isNull();

        CommandResult forTarget = cluster.kubectl("events", "--for", "configmap/target");
        assertThat(forTarget.succeeded()).as(forTarget.output()).isTrue();
        assertThat(forTarget.output())
                .contains("ImageDenied", "image evil:latest is not allowed", "(x3 over", "TemplateResolved")
                .doesNotContain("configmap/template ");
        CommandResult bySelector = cluster.kubectl(
                "get",
                "events.events.k8s.io",
                "--field-selector",
                "regarding.name=target,reason=ImageDenied",
                "-o",
                "jsonpath={.items[*].series.count}");
        assertThat(bySelector.succeeded()).as(bySelector.output()).isTrue();
        assertThat(bySelector.output().trim()).isEqualTo("3");
    }

    @Test
    void theApiServerAcceptsTruncatedNotesAndEventsAboutClusterScopedObjects() {
        ConfigMap target = createConfigMap("long-notes");
        Namespace namespace =
                cluster.admin().namespaces().withName(cluster.namespace()).get();
        try (EventRecorder recorder = recorder(cluster.admin(), "it-1")) {
            recorder.record(target, EventType.WARNING, "Failed", "Start", "ü".repeat(3000));
            recorder.record(target, EventType.WARNING, "R".repeat(300), "A".repeat(300), "over-long reason and action");
            recorder.record(namespace, EventType.NORMAL, "Observed", "Watch", "about a cluster-scoped object");
            await().atMost(PATIENCE)
                    .until(() -> recorder.stats().recorded() + recorder.stats().dropped() == 3);
            assertThat(recorder.stats().created()).as("%s", recorder.stats()).isEqualTo(3);
        }

        assertThat(eventsRegarding("long-notes"))
                .extracting(e -> e.getNote().getBytes(StandardCharsets.UTF_8).length)
                .allSatisfy(bytes -> assertThat(bytes).isLessThanOrEqualTo(EventRecorder.MAX_NOTE_BYTES))
                .contains(1023); // 510 two-byte chars and the three-byte ellipsis
        assertThat(cluster.admin()
                        .events()
                        .v1()
                        .events()
                        .inNamespace("default")
                        .withField("regarding.name", cluster.namespace())
                        .list()
                        .getItems())
                .singleElement()
                .extracting(Event::getReason)
                .isEqualTo("Observed");
    }

    @Test
    void aServiceAccountWithOnlyCreateAndPatchOnEventsCanRecordAndContinueSeries() {
        String ns = cluster.namespace();
        cluster.grant(
                ns,
                "recorder",
                "event-recorder",
                new PolicyRuleBuilder()
                        .withApiGroups("events.k8s.io")
                        .withResources("events")
                        .withVerbs("create", "patch")
                        .build());
        String as = "--as=system:serviceaccount:" + ns + ":recorder";
        await().atMost(PATIENCE)
                .until(() -> cluster.kubectl("auth", "can-i", "patch", "events.events.k8s.io", as)
                        .output()
                        .trim()
                        .equals("yes"));
        assertThat(cluster.kubectl("auth", "can-i", "get", "events.events.k8s.io", as)
                        .output()
                        .trim())
                .isEqualTo("no");
        ConfigMap target = createConfigMap("rbac-target");
        KubernetesClient serviceAccount = cluster.clientFor(ns, "recorder");
        // Both processes must fall into the same aggregation window, whenever the test runs.
        Clock clock = new MutableClock(Instant.now());

        try (EventRecorder first = recorder(serviceAccount, "it-sa-0", clock)) {
            first.record(target, EventType.WARNING, "BackOff", "Start", "back-off");
            first.record(target, EventType.WARNING, "BackOff", "Start", "back-off");
            await().atMost(PATIENCE)
                    .until(() -> first.stats().recorded() + first.stats().dropped() == 2);
            assertThat(first.stats())
                    .returns(1L, EventRecorderStats::created)
                    .returns(1L, EventRecorderStats::aggregated);
        }
        // A restarted process: its create collides with the deterministic name, it reads the count by an empty patch.
        try (EventRecorder restarted = recorder(serviceAccount, "it-sa-1", clock)) {
            restarted.record(target, EventType.WARNING, "BackOff", "Start", "back-off");
            await().atMost(PATIENCE)
                    .until(() ->
                            restarted.stats().recorded() + restarted.stats().dropped() == 1);
            assertThat(restarted.stats())
                    .returns(1L, EventRecorderStats::aggregated)
                    .returns(0L, EventRecorderStats::dropped);
        }

        assertThat(eventsRegarding("rbac-target"))
                .singleElement()
                .satisfies(event -> assertThat(event.getSeries().getCount()).isEqualTo(3))
                .satisfies(event -> assertThat(event.getReportingInstance()).isEqualTo("it-sa-0"));
        String name = eventsRegarding("rbac-target").get(0).getMetadata().getName();
        KubernetesClientException denied = catchThrowableOfType(
                KubernetesClientException.class,
                () -> serviceAccount
                        .events()
                        .v1()
                        .events()
                        .inNamespace(ns)
                        .withName(name)
                        .get());
        assertThat(denied)
                .as("the ServiceAccount must not be able to read events")
                .isNotNull();
        assertThat(denied.getCode()).isEqualTo(403);
    }

    @Test
    void aTerminatingNamespaceCostsOneRefusedRequestWhileAnotherNamespaceIsWritten() {
        // A namespace that stays Terminating: a ConfigMap in it holds a finalizer nobody removes until the end.
        String doomed = "doomed-" + UUID.randomUUID().toString().substring(0, 8);
        KubernetesClient admin = cluster.admin();
        admin.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(doomed)
                        .endMetadata()
                        .build())
                .create();
        admin.configMaps()
                .inNamespace(doomed)
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("held")
                        .addToFinalizers("kubespawner.jupyterhub.org/test-hold")
                        .endMetadata()
                        .build())
                .create();
        AtomicInteger requestsToDoomed = new AtomicInteger();
        Interceptor counter = new Interceptor() {
            @Override
            public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
                if (request.uri().getPath().contains("/namespaces/" + doomed + "/")) {
                    requestsToDoomed.incrementAndGet();
                }
            }
        };
        AuditLogCapture audit = new AuditLogCapture();
        try (KubernetesClient counted = new KubernetesClientBuilder()
                .withConfig(admin.getConfiguration())
                .withHttpClientBuilderConsumer(builder -> builder.addOrReplaceInterceptor("count", counter))
                .build()) {
            admin.namespaces().withName(doomed).delete();
            // What the recorder relies on, from the real NamespaceLifecycle admission plugin (once it sees the phase).
            KubernetesClientException refusal = await().atMost(PATIENCE)
                    .until(
                            () -> catchThrowableOfType(
                                    KubernetesClientException.class,
                                    () -> admin.events()
                                            .v1()
                                            .events()
                                            .inNamespace(doomed)
                                            .resource(new EventBuilder()
                                                    .withNewMetadata()
                                                    .withName("probe")
                                                    .endMetadata()
                                                    .withEventTime(MicroTimes.of(Instant.now()))
                                                    .withType("Normal")
                                                    .withReason("Probe")
                                                    .withAction("Probe")
                                                    .withReportingController(CONTROLLER)
                                                    .withReportingInstance("it-probe")
                                                    .withNewRegarding()
                                                    .withKind("ConfigMap")
                                                    .withNamespace(doomed)
                                                    .withName("held")
                                                    .endRegarding()
                                                    .build())
                                            .create()),
                            e -> e != null && e.getCode() == 403);
            assertThat(refusal.getStatus().getReason()).isEqualTo("Forbidden");
            assertThat(refusal.getStatus().getDetails().getCauses())
                    .extracting(StatusCause::getReason)
                    .contains(KubernetesEventWriter.NAMESPACE_TERMINATING_CAUSE);
            assertThat(refusal.getStatus().getMessage()).contains("because it is being terminated");
            ConfigMap target = createConfigMap("alive-target");

            try (EventRecorder recorder = EventRecorder.builder(counted)
                    .reportingController(CONTROLLER)
                    .reportingInstance("it-ns")
                    .auditLogger(audit.loggerName)
                    .writers(4)
                    .build()) {
                recorder.record(inNamespace(doomed, "claim-0"), EventType.NORMAL, "ClaimRetained", "Stop", "kept");
                await().atMost(PATIENCE).until(() -> recorder.stats().droppedNamespaceTerminating() == 1);
                for (int i = 1; i <= 10; i++) {
                    recorder.record(
                            inNamespace(doomed, "claim-" + i), EventType.NORMAL, "ClaimRetained", "Stop", "kept");
                    recorder.record(target, EventType.NORMAL, "Step", "Spawn", "step " + i);
                }
                await().atMost(PATIENCE)
                        .until(() ->
                                recorder.stats().recorded() + recorder.stats().dropped() == 21);
                assertThat(recorder.stats())
                        .returns(10L, EventRecorderStats::created)
                        .returns(11L, EventRecorderStats::droppedNamespaceTerminating)
                        .returns(11L, EventRecorderStats::dropped);
            }
            assertThat(requestsToDoomed)
                    .as("requests to the terminating namespace")
                    .hasValue(1);
            assertThat(eventsRegarding("alive-target")).hasSize(10);
            assertThat(audit.captured())
                    .extracting(Line::json)
                    .filteredOn(line -> line.get("namespace").asText().equals(doomed))
                    .hasSize(11)
                    .allSatisfy(line ->
                            assertThat(line.get("outcome").asText()).isEqualTo("dropped_namespace_terminating"));
        } finally {
            admin.configMaps().inNamespace(doomed).withName("held").edit(held -> {
                held.getMetadata().setFinalizers(List.of());
                return held;
            });
        }
    }

    private static ConfigMap inNamespace(String namespace, String name) {
        return new ConfigMapBuilder()
                .withNewMetadata()
                .withNamespace(namespace)
                .withName(name)
                .endMetadata()
                .build();
    }
}
