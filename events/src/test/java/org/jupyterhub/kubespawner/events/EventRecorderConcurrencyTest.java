package org.jupyterhub.kubespawner.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesClientBuilderCustomizer;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * Several writer threads against a scripted API server: a slow object does not hold up the others, and a namespace
 * being deleted costs one refused request, not one per event.
 */
@EnableKubernetesMockClient(kubernetesClientBuilderCustomizer = EventRecorderConcurrencyTest.PatientClient.class)
class EventRecorderConcurrencyTest {

    /** No retries (each failure counts at once), and a request timeout longer than the slow answer below. */
    public static class PatientClient extends KubernetesClientBuilderCustomizer {
        @Override
        public void accept(KubernetesClientBuilder builder) {
            builder.editOrNewConfig()
                    .withRequestRetryBackoffLimit(0)
                    .withRequestTimeout(120_000)
                    .endConfig();
        }
    }

    private static String events(String namespace) {
        return "/apis/events.k8s.io/v1/namespaces/" + namespace + "/events";
    }

    KubernetesMockServer server;
    KubernetesClient client;

    @RegisterExtension
    final Recorders recorders = new Recorders(() -> client);

    private final AuditLogCapture audit = recorders.audit;
    private final ListAppender<ILoggingEvent> recorderLog = new ListAppender<>();

    @BeforeEach
    void captureRecorderLog() {
        recorderLog.start();
        ((Logger) LoggerFactory.getLogger(EventRecorder.class)).addAppender(recorderLog);
    }

    @AfterEach
    void releaseRecorderLog() {
        ((Logger) LoggerFactory.getLogger(EventRecorder.class)).detachAppender(recorderLog);
    }

    private static Pod pod(String namespace, String name) {
        return Recorders.pod(namespace, name);
    }

    private static int laneOf(Pod pod, int writers) {
        return WriterLanes.laneOf(
                new ObjectReferenceBuilder()
                        .withNamespace(pod.getMetadata().getNamespace())
                        .withName(pod.getMetadata().getName())
                        .build(),
                writers);
    }

    /** What kube-apiserver's NamespaceLifecycle admission plugin answers to a create in a terminating namespace. */
    private static Status namespaceTerminating(String namespace) {
        return new StatusBuilder()
                .withStatus("Failure")
                .withCode(403)
                .withReason("Forbidden")
                .withMessage("events.events.k8s.io \"x\" is forbidden: unable to create new content in namespace "
                        + namespace + " because it is being terminated")
                .withNewDetails()
                .withName("x")
                .withGroup("events.k8s.io")
                .withKind("events")
                .addNewCause()
                .withReason("NamespaceTerminating")
                .withMessage("namespace " + namespace + " is being terminated")
                .withField("metadata.namespace")
                .endCause()
                .endDetails()
                .build();
    }

    private static long requestsTo(List<RecordedRequest> requests, String path) {
        return requests.stream().filter(r -> r.getPath().startsWith(path)).count();
    }

    @Test
    void aSlowWriteAboutOneObjectDoesNotHoldUpTheOthers() {
        // The API server sits on this one create for a minute (a timer, so the mock server still answers the rest).
        server.expect()
                .post()
                .delay(60, TimeUnit.SECONDS)
                .withPath(events("slow"))
                .andReply(201, request -> request.getBody().readUtf8())
                .once();
        server.expect()
                .post()
                .withPath(events("users"))
                .andReply(201, request -> request.getBody().readUtf8())
                .always();
        EventRecorder recorder = recorders.start(recorders.builder().writers(4).drainTimeout(Duration.ofMillis(100)));
        Pod slow = pod("slow", "jupyter-slow");
        List<Pod> others = IntStream.range(0, 100)
                .mapToObj(i -> pod("users", "jupyter-user-" + i))
                .filter(pod -> laneOf(pod, 4) != laneOf(slow, 4))
                .toList();
        assertThat(others).hasSizeGreaterThan(30);

        recorder.record(slow, EventType.NORMAL, "Created", "Create", "held up by the API server");
        await().atMost(Duration.ofSeconds(10)).until(() -> server.getRequestCount() == 1);
        others.forEach(pod -> recorder.record(pod, EventType.NORMAL, "Created", "Create", "written meanwhile"));

        await().atMost(Duration.ofSeconds(30)).until(() -> recorder.stats().created() == others.size());
        assertThat(recorder.stats().recorded() + recorder.stats().dropped())
                .as("the slow object's create is still waiting for its answer")
                .isEqualTo(others.size());
    }

    @Test
    void aTerminatingNamespaceCostsOneRequestPerGiveUpPeriodWhileOthersAreWritten() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));
        server.expect()
                .post()
                .withPath(events("doomed"))
                .andReturn(403, namespaceTerminating("doomed"))
                .times(2);
        server.expect()
                .post()
                .withPath(events("doomed"))
                .andReply(201, request -> request.getBody().readUtf8())
                .always(); // the namespace was deleted and created again
        server.expect()
                .post()
                .withPath(events("users"))
                .andReply(201, request -> request.getBody().readUtf8())
                .always();
        EventRecorder recorder = recorders.start(
                recorders.builder().writers(4).clock(clock).terminatingNamespaceGiveUp(Duration.ofSeconds(60)));

        recorder.record(pod("doomed", "claim-0"), EventType.NORMAL, "ClaimRetained", "Stop", "kept");
        await().atMost(Duration.ofSeconds(10)).until(() -> recorder.stats().droppedNamespaceTerminating() == 1);
        for (int i = 1; i <= 20; i++) { // objects of both namespaces, spread over all writers
            recorder.record(pod("doomed", "claim-" + i), EventType.NORMAL, "ClaimRetained", "Stop", "kept");
            recorder.record(pod("users", "jupyter-" + i), EventType.NORMAL, "Created", "Create", "spawned");
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        recorder.stats().created() == 20 && recorder.stats().droppedNamespaceTerminating() == 21);

        List<RecordedRequest> requests = Recorders.takeAllRequests(server);
        assertThat(requestsTo(requests, events("doomed")))
                .as("only the first refusal went out")
                .isEqualTo(1);
        assertThat(requestsTo(requests, events("users"))).isEqualTo(20);
        assertThat(audit.lines())
                .filteredOn(line -> line.get("namespace").asText().equals("doomed"))
                .hasSize(21)
                .allSatisfy(
                        line -> assertThat(line.get("outcome").asText()).isEqualTo("dropped_namespace_terminating"));
        assertThat(recorder.stats().droppedApiError()).isZero();

        // After the give-up period one Event tries again: still terminating, so another period starts.
        clock.advance(Duration.ofSeconds(61));
        recorder.record(pod("doomed", "claim-0"), EventType.NORMAL, "ClaimRetained", "Stop", "kept");
        await().atMost(Duration.ofSeconds(10)).until(() -> recorder.stats().droppedNamespaceTerminating() == 22);
        recorder.record(pod("doomed", "claim-1"), EventType.NORMAL, "ClaimRetained", "Stop", "kept");
        await().atMost(Duration.ofSeconds(10)).until(() -> recorder.stats().droppedNamespaceTerminating() == 23);
        assertThat(requestsTo(Recorders.takeAllRequests(server), events("doomed")))
                .isEqualTo(1);

        // Recreated meanwhile: after the next period the Event is written again.
        clock.advance(Duration.ofSeconds(61));
        recorder.record(pod("doomed", "claim-0"), EventType.NORMAL, "ClaimRetained", "Stop", "kept");
        await().atMost(Duration.ofSeconds(10)).until(() -> recorder.stats().created() == 21);

        recorder.close();
        EventRecorderStats stats = recorder.stats();
        assertThat(stats.submitted()).isEqualTo(44);
        assertThat(stats.submitted()).isEqualTo(stats.created() + stats.aggregated() + stats.dropped());
        assertThat(stats.dropped())
                .isEqualTo(stats.droppedNamespaceTerminating())
                .isEqualTo(23);
        assertThat(recorderLog.list)
                .filteredOn(e -> e.getLevel() == Level.WARN)
                .filteredOn(e -> e.getFormattedMessage().contains("doomed"))
                .as("logged once per namespace at WARN")
                .hasSize(1);
    }

    @Test
    void aNamespaceThatIsGoneIsGivenUpOnToo() throws Exception {
        Status gone = new StatusBuilder()
                .withStatus("Failure")
                .withCode(404)
                .withReason("NotFound")
                .withMessage("namespaces \"gone\" not found")
                .withNewDetails()
                .withName("gone")
                .withKind("namespaces")
                .endDetails()
                .build();
        server.expect().post().withPath(events("gone")).andReturn(404, gone).always();
        EventRecorder recorder = recorders.start(recorders.builder().writers(2));

        recorder.record(pod("gone", "claim-a"), EventType.NORMAL, "ClaimRetained", "Stop", "kept");
        await().atMost(Duration.ofSeconds(10)).until(() -> recorder.stats().droppedNamespaceTerminating() == 1);
        IntStream.range(0, 10)
                .forEach(i ->
                        recorder.record(pod("gone", "claim-" + i), EventType.NORMAL, "ClaimRetained", "Stop", "kept"));
        await().atMost(Duration.ofSeconds(10)).until(() -> recorder.stats().droppedNamespaceTerminating() == 11);

        assertThat(requestsTo(Recorders.takeAllRequests(server), events("gone")))
                .isEqualTo(1);
        assertThat(recorder.stats().droppedApiError()).isZero();
    }
}
