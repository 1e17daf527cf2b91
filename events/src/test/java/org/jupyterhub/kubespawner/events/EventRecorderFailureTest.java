package org.jupyterhub.kubespawner.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.api.model.events.v1.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesClientBuilderCustomizer;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The recorder against an API server scripted request by request: failures, a stuck server, and which verbs the
 * recorder uses at all.
 */
@EnableKubernetesMockClient(kubernetesClientBuilderCustomizer = EventRecorderFailureTest.NoRetries.class)
class EventRecorderFailureTest {

    /** The client would retry 5xx answers with backoff; these tests want each failure to count at once. */
    public static class NoRetries extends KubernetesClientBuilderCustomizer {
        @Override
        public void accept(KubernetesClientBuilder builder) {
            builder.editOrNewConfig().withRequestRetryBackoffLimit(0).endConfig();
        }
    }

    private static final String EVENTS = "/apis/events.k8s.io/v1/namespaces/users/events";

    KubernetesMockServer server;
    KubernetesClient client;

    @RegisterExtension
    final Recorders recorders = new Recorders(() -> client);

    private final AuditLogCapture audit = recorders.audit;

    private static Pod pod(String name) {
        return Recorders.pod("users", name);
    }

    private static Object status(int code, String reason) {
        return new StatusBuilder()
                .withStatus("Failure")
                .withCode(code)
                .withReason(reason)
                .withMessage(reason)
                .build();
    }

    @Test
    void serverErrorsAreSwallowedAndCounted() {
        server.expect()
                .post()
                .withPath(EVENTS)
                .andReturn(500, status(500, "InternalError"))
                .always();
        EventRecorder recorder = recorders.start(recorders.builder());

        recorder.record(pod("a"), EventType.NORMAL, "Created", "Create", "one");
        recorder.record(pod("b"), EventType.NORMAL, "Created", "Create", "two");

        await().atMost(Duration.ofSeconds(10)).until(() -> recorder.stats().droppedApiError() == 2);
        assertThat(recorder.stats()).returns(0L, EventRecorderStats::recorded);
        assertThat(audit.lines())
                .extracting(line -> line.get("outcome").asText())
                .containsExactly("dropped_api_error", "dropped_api_error");
    }

    @Test
    void forbiddenIsSwallowedAndCountedAndTheNextEventTriesAgain() {
        server.expect()
                .post()
                .withPath(EVENTS)
                .andReturn(403, status(403, "Forbidden"))
                .once();
        server.expect()
                .post()
                .withPath(EVENTS)
                .andReply(201, request -> request.getBody().readUtf8())
                .once();
        EventRecorder recorder = recorders.start(recorders.builder());

        recorder.record(pod("a"), EventType.WARNING, "Denied", "Admit", "same");
        await().atMost(Duration.ofSeconds(10)).until(() -> recorder.stats().droppedApiError() == 1);
        recorder.record(pod("a"), EventType.WARNING, "Denied", "Admit", "same");

        // The failed create left nothing in memory, so the repeat is created, not patched onto a missing Event.
        await().atMost(Duration.ofSeconds(10)).until(() -> recorder.stats().created() == 1);
    }

    @Test
    void usesOnlyCreateAndPatchEvenWhenContinuingTheSeriesOfAnEarlierProcess() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));
        server.expect()
                .post()
                .withPath(EVENTS)
                .andReply(201, request -> request.getBody().readUtf8())
                .once();
        try (EventRecorder earlier = recorders.builder().clock(clock).build()) {
            earlier.record(pod("a"), EventType.WARNING, "BackOff", "Start", "back-off");
            await().atMost(Duration.ofSeconds(10)).until(() -> earlier.stats().created() == 1);
        }
        server.takeRequest();
        String name = audit.lines().get(0).get("name").asText();
        // Meanwhile the Event was counted 4 times; this process only knows its name, by computing it again.
        Event existing = new EventBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("users")
                .endMetadata()
                .withNewSeries()
                .withCount(4)
                .endSeries()
                .build();
        server.expect()
                .post()
                .withPath(EVENTS)
                .andReturn(409, status(409, "AlreadyExists"))
                .once();
        server.expect()
                .patch()
                .withPath(EVENTS + "/" + name)
                .andReturn(200, existing)
                .always();
        clock.advance(Duration.ofMinutes(1));

        EventRecorder recorder = recorders.start(recorders.builder().clock(clock));
        recorder.record(pod("a"), EventType.WARNING, "BackOff", "Start", "back-off");
        await().atMost(Duration.ofSeconds(10)).until(() -> recorder.stats().aggregated() == 1);
        recorder.record(pod("a"), EventType.WARNING, "BackOff", "Start", "back-off");
        await().atMost(Duration.ofSeconds(10)).until(() -> recorder.stats().aggregated() == 2);

        List<RecordedRequest> requests = Recorders.takeAllRequests(server);
        assertThat(requests).extracting(RecordedRequest::getMethod).containsExactly("POST", "PATCH", "PATCH", "PATCH");
        assertThat(requests)
                .extracting(RecordedRequest::getPath)
                .containsExactly(EVENTS, EVENTS + "/" + name, EVENTS + "/" + name, EVENTS + "/" + name);
        assertThat(requests.get(1).getBody().readUtf8()).isEqualTo("{}"); // reads the count without a GET
        assertThat(requests.get(1).getHeader("Content-Type")).startsWith("application/merge-patch+json");
        assertThat(requests.get(2).getBody().readUtf8()).contains("\"count\":5");
        assertThat(requests.get(3).getBody().readUtf8()).contains("\"count\":6");
        assertThat(recorder.stats()).returns(0L, EventRecorderStats::created).returns(0L, EventRecorderStats::dropped);
    }

    @Test
    void aFullQueueDropsAndCountsWithoutBlockingTheCaller() throws Exception {
        CountDownLatch serverEntered = new CountDownLatch(1);
        CountDownLatch releaseServer = new CountDownLatch(1);
        server.expect()
                .post()
                .withPath(EVENTS)
                .andReply(201, request -> {
                    serverEntered.countDown();
                    try {
                        releaseServer.await(30, TimeUnit.SECONDS); // holds the worker inside its first create
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return request.getBody().readUtf8();
                })
                .always();
        EventRecorder recorder =
                recorders.start(recorders.builder().queueCapacity(2).writers(1)); // one queue of 2, one writer
        try {
            recorder.record(pod("a"), EventType.NORMAL, "Created", "Create", "taken by the worker");
            assertThat(serverEntered.await(10, TimeUnit.SECONDS)).isTrue();

            for (int i = 0; i < 4; i++) {
                recorder.record(pod("b" + i), EventType.NORMAL, "Created", "Create", "queued or dropped");
            }

            assertThat(recorder.stats())
                    .returns(5L, EventRecorderStats::submitted)
                    .returns(2L, EventRecorderStats::droppedQueueFull);
        } finally {
            releaseServer.countDown();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> recorder.stats().created() == 3);
    }
}
