package org.jupyterhub.kubespawner.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The recorder against fabric8's CRUD mock API server: what ends up in the Event objects, and in the counters. */
@EnableKubernetesMockClient(crud = true)
class EventRecorderTest {

    private static final String CONTROLLER = Recorders.CONTROLLER;
    private static final Instant T0 = Instant.parse("2026-11-25T10:00:00.123456789Z");

    KubernetesClient client;

    @RegisterExtension
    final Recorders recorders = new Recorders(() -> client);

    private final MutableClock clock = new MutableClock(T0);
    private final AuditLogCapture audit = recorders.audit;

    private EventRecorder.Builder builder() {
        return recorders.builder().clock(clock);
    }

    private EventRecorder start(EventRecorder.Builder builder) {
        return recorders.start(builder);
    }

    private static Pod pod(String namespace, String name, String uid) {
        return new PodBuilder()
                .withNewMetadata()
                .withNamespace(namespace)
                .withName(name)
                .withUid(uid)
                .withResourceVersion("42")
                .endMetadata()
                .build();
    }

    private List<Event> events(String namespace) {
        return client.events().v1().events().inNamespace(namespace).list().getItems();
    }

    private static int seriesCount(Event event) {
        return event.getSeries() == null ? 1 : event.getSeries().getCount();
    }

    /** Every occurrence that reaches the worker leaves exactly one audit line, whatever became of it. */
    private void awaitProcessed(int occurrences) {
        await().atMost(Duration.ofSeconds(60)).until(() -> audit.lines().size() == occurrences);
    }

    @Test
    void writesAnEventsV1EventWithAllFields() {
        EventRecorder recorder = start(builder());
        Pod pod = pod("users", "jupyter-alice", "uid-alice");
        ConfigMap template = new ConfigMapBuilder()
                .withNewMetadata()
                .withNamespace("users")
                .withName("tpl")
                .withUid("uid-tpl")
                .endMetadata()
                .build();

        recorder.record(pod, template, EventType.WARNING, "ImageDenied", "Admit", "image evil:latest is not allowed");

        await().atMost(Duration.ofSeconds(60)).until(() -> events("users").size() == 1);
        Event event = events("users").get(0);
        assertThat(event.getApiVersion()).isEqualTo("events.k8s.io/v1");
        assertThat(event.getMetadata().getName()).matches("jupyter-alice\\.[0-9a-f]{16}");
        assertThat(event.getType()).isEqualTo("Warning");
        assertThat(event.getReason()).isEqualTo("ImageDenied");
        assertThat(event.getAction()).isEqualTo("Admit");
        assertThat(event.getNote()).isEqualTo("image evil:latest is not allowed");
        assertThat(event.getReportingController()).isEqualTo(CONTROLLER);
        assertThat(event.getReportingInstance()).isEqualTo("operator-0");
        assertThat(event.getEventTime().getTime()).isEqualTo("2026-11-25T10:00:00.123456Z");
        assertThat(event.getSeries()).isNull();
        ObjectReference regarding = event.getRegarding();
        assertThat(regarding.getApiVersion()).isEqualTo("v1");
        assertThat(regarding.getKind()).isEqualTo("Pod");
        assertThat(regarding.getNamespace()).isEqualTo("users");
        assertThat(regarding.getName()).isEqualTo("jupyter-alice");
        assertThat(regarding.getUid()).isEqualTo("uid-alice");
        assertThat(regarding.getResourceVersion()).isEqualTo("42");
        assertThat(event.getRelated().getKind()).isEqualTo("ConfigMap");
        assertThat(event.getRelated().getUid()).isEqualTo("uid-tpl");
        assertThat(recorder.stats()).isEqualTo(new EventRecorderStats(1, 1, 0, 0, 0, 0, 0, 0));
    }

    @Test
    void enumVocabularyIsWrittenByName() {
        enum Reason implements EventReason {
            TemplateResolved
        }
        enum Action implements EventAction {
            Resolve
        }
        EventRecorder recorder = start(builder());

        recorder.record(pod("users", "p", "u"), EventType.NORMAL, Reason.TemplateResolved, Action.Resolve, "ok");

        await().atMost(Duration.ofSeconds(60)).until(() -> events("users").size() == 1);
        assertThat(events("users").get(0))
                .returns("TemplateResolved", Event::getReason)
                .returns("Resolve", Event::getAction);
    }

    @Test
    void eventsAboutClusterScopedObjectsGoToTheDefaultNamespace() {
        EventRecorder recorder = start(builder());
        Namespace namespace = new NamespaceBuilder()
                .withNewMetadata()
                .withName("users")
                .withUid("ns-uid")
                .endMetadata()
                .build();

        recorder.record(namespace, EventType.NORMAL, "Labelled", "Label", "");

        await().atMost(Duration.ofSeconds(60)).until(() -> events("default").size() == 1);
        assertThat(events("default").get(0).getRegarding())
                .returns("Namespace", ObjectReference::getKind)
                .returns(null, ObjectReference::getNamespace);
    }

    @Test
    void truncatesTheNoteToOneKibibyteOfUtf8() {
        EventRecorder recorder = start(builder());

        recorder.record(pod("users", "p", "u"), EventType.WARNING, "Failed", "Start", "ü".repeat(5000));

        await().atMost(Duration.ofSeconds(60)).until(() -> events("users").size() == 1);
        String note = events("users").get(0).getNote();
        assertThat(note.getBytes(StandardCharsets.UTF_8).length).isBetween(1020, 1024);
        assertThat(note).endsWith("…").startsWith("üüü");
    }

    @Test
    void repeatsWithinTheWindowAggregateIntoTheSeries() {
        EventRecorder recorder = start(builder());
        Pod pod = pod("users", "p", "u");

        recorder.record(pod, EventType.WARNING, "BackOff", "Start", "image pull back-off");
        clock.advance(Duration.ofMinutes(4));
        recorder.record(pod, EventType.WARNING, "BackOff", "Start", "image pull back-off");
        clock.advance(Duration.ofMinutes(4));
        recorder.record(pod, EventType.WARNING, "BackOff", "Start", "image pull back-off");
        awaitProcessed(3);

        List<Event> events = events("users");
        assertThat(events).hasSize(1);
        Event event = events.get(0);
        assertThat(event.getSeries().getCount()).isEqualTo(3);
        assertThat(event.getSeries().getLastObservedTime().getTime()).isEqualTo("2026-11-25T10:08:00.123456Z");
        assertThat(event.getEventTime().getTime()).isEqualTo("2026-11-25T10:00:00.123456Z");
        assertThat(recorder.stats())
                .returns(1L, EventRecorderStats::created)
                .returns(2L, EventRecorderStats::aggregated);
        assertThat(audit.lines())
                .extracting(line -> line.get("outcome").asText())
                .containsExactly("created", "aggregated", "aggregated");
    }

    @Test
    void differentNotesOrObjectsAreDifferentEvents() {
        EventRecorder recorder = start(builder());

        recorder.record(pod("users", "p", "u"), EventType.NORMAL, "Ready", "Watch", "ready after 3s");
        recorder.record(pod("users", "p", "u"), EventType.NORMAL, "Ready", "Watch", "ready after 4s");
        recorder.record(pod("users", "q", "v"), EventType.NORMAL, "Ready", "Watch", "ready after 3s");
        awaitProcessed(3);

        assertThat(events("users"))
                .hasSize(3)
                .allSatisfy(event -> assertThat(event.getSeries()).isNull());
    }

    @Test
    void aRepeatAfterAQuietWindowStartsANewEvent() {
        EventRecorder recorder = start(builder().aggregationWindow(Duration.ofMinutes(10)));
        Pod pod = pod("users", "p", "u");

        recorder.record(pod, EventType.NORMAL, "Stopped", "Stop", "stopped by the hub");
        clock.advance(Duration.ofMinutes(11));
        recorder.record(pod, EventType.NORMAL, "Stopped", "Stop", "stopped by the hub");
        awaitProcessed(2);

        assertThat(events("users"))
                .hasSize(2)
                .extracting(EventRecorderTest::seriesCount)
                .containsOnly(1);
        assertThat(recorder.stats().created()).isEqualTo(2);
    }

    @Test
    void aRestartedRecorderContinuesTheSeriesInsteadOfDuplicating() {
        Pod pod = pod("users", "p", "u");
        try (EventRecorder before = builder().build()) {
            before.record(pod, EventType.WARNING, "BackOff", "Start", "back-off");
            before.record(pod, EventType.WARNING, "BackOff", "Start", "back-off");
            awaitProcessed(2);
        }
        clock.advance(Duration.ofMinutes(1));

        EventRecorder after = start(builder());
        after.record(pod, EventType.WARNING, "BackOff", "Start", "back-off");
        awaitProcessed(3);

        assertThat(events("users"))
                .hasSize(1)
                .extracting(EventRecorderTest::seriesCount)
                .containsExactly(3);
        assertThat(after.stats()).returns(0L, EventRecorderStats::created).returns(1L, EventRecorderStats::aggregated);
    }

    @Test
    void rateLimitDropsNewEventsButKeepsCountingRepeats() {
        EventRecorder recorder = start(builder().rateLimit(2, Duration.ofMinutes(1)));
        Pod pod = pod("users", "p", "u");

        recorder.record(pod, EventType.WARNING, "Flapping", "Watch", "first"); // token 1: create
        recorder.record(pod, EventType.WARNING, "Flapping", "Watch", "second"); // token 2: create
        recorder.record(pod, EventType.WARNING, "Flapping", "Watch", "third"); // no token: dropped
        IntStream.range(0, 5)
                .forEach(i -> recorder.record(
                        pod, EventType.WARNING, "Flapping", "Watch", "first")); // no token: pending in series
        recorder.record(pod("users", "other", "u2"), EventType.NORMAL, "Fine", "Watch", "other objects unaffected");
        awaitProcessed(9);

        assertThat(recorder.stats())
                .returns(9L, EventRecorderStats::submitted)
                .returns(3L, EventRecorderStats::created)
                .returns(1L, EventRecorderStats::droppedRateLimited)
                .returns(0L, EventRecorderStats::aggregated);
        assertThat(events("users"))
                .hasSize(3)
                .extracting(EventRecorderTest::seriesCount)
                .containsOnly(1);

        clock.advance(Duration.ofMinutes(1)); // one token back: maintenance writes the pending count
        await().atMost(Duration.ofSeconds(60)).until(() -> recorder.stats().aggregated() == 5);
        assertThat(events("users")).extracting(EventRecorderTest::seriesCount).containsExactlyInAnyOrder(6, 1, 1);
        // In order per object; the other pod may be written by another writer thread, before or after.
        assertThat(audit.lines())
                .filteredOn(line -> line.get("regarding").get("name").asText().equals("p"))
                .extracting(line -> line.get("outcome").asText())
                .containsExactly(
                        "created",
                        "created",
                        "dropped_rate_limited",
                        "pending",
                        "pending",
                        "pending",
                        "pending",
                        "pending");
        assertThat(audit.lines())
                .filteredOn(line -> line.get("regarding").get("name").asText().equals("other"))
                .extracting(line -> line.get("outcome").asText())
                .containsExactly("created");
    }

    @Test
    void aWriteDelayHoldsEachEventUntilItIsThatOldInRecordingOrder() throws InterruptedException {
        // 3 s of real time at most per Event; the recorder's own clock releases them sooner.
        EventRecorder recorder = start(builder().writers(1).writeDelay(Duration.ofSeconds(3)));

        recorder.record(pod("users", "first", "u1"), EventType.NORMAL, "Created", "Create", "first");
        clock.advance(Duration.ofSeconds(2));
        recorder.record(pod("users", "second", "u2"), EventType.NORMAL, "Created", "Create", "second");
        Thread.sleep(400); // the recorder's clock stands still: nothing is old enough yet
        assertThat(events("users")).isEmpty();

        clock.advance(Duration.ofSeconds(1)); // the first is 3 s old, the second 1 s
        await().atMost(Duration.ofSeconds(2)).until(() -> events("users").size() == 1);
        assertThat(events("users")).singleElement().returns("first", Event::getNote);

        clock.advance(Duration.ofSeconds(2));
        await().atMost(Duration.ofSeconds(2)).until(() -> events("users").size() == 2);
    }

    @Test
    void aClockSteppedBackNeverHoldsAnEventLongerThanTheDelay() {
        EventRecorder recorder = start(builder().writeDelay(Duration.ofMillis(300)));
        recorder.record(pod("users", "p", "u"), EventType.NORMAL, "Created", "Create", "before the step");
        clock.advance(Duration.ofHours(-1)); // by the recorder's clock the Event is now due in an hour

        await().atMost(Duration.ofSeconds(5)).until(() -> events("users").size() == 1);
    }

    @Test
    void closeWritesDelayedEventsAtOnce() {
        EventRecorder recorder = start(builder().writeDelay(Duration.ofHours(1)));
        recorder.record(pod("users", "p", "u"), EventType.NORMAL, "Created", "Create", "held back");

        recorder.close();

        assertThat(events("users")).singleElement().returns("held back", Event::getNote);
    }

    @Test
    void closeWritesPendingCountsDespiteTheRateLimit() {
        EventRecorder recorder = start(builder().rateLimit(1, Duration.ofHours(1)));
        Pod pod = pod("users", "p", "u");
        IntStream.range(0, 4).forEach(i -> recorder.record(pod, EventType.WARNING, "Flapping", "Watch", "same"));
        awaitProcessed(4);

        recorder.close();

        assertThat(events("users"))
                .singleElement()
                .extracting(EventRecorderTest::seriesCount)
                .isEqualTo(4);
        assertThat(recorder.stats())
                .returns(1L, EventRecorderStats::created)
                .returns(3L, EventRecorderStats::aggregated);
    }

    @Test
    void anEventExpiredByTheApiServerIsWrittenAgainWithItsCount() {
        EventRecorder recorder = start(builder());
        Pod pod = pod("users", "p", "u");
        recorder.record(pod, EventType.WARNING, "BackOff", "Start", "back-off");
        awaitProcessed(1);
        client.events().v1().events().inNamespace("users").delete(); // what the event TTL does after an hour

        recorder.record(pod, EventType.WARNING, "BackOff", "Start", "back-off");
        awaitProcessed(2);

        assertThat(events("users"))
                .singleElement()
                .extracting(EventRecorderTest::seriesCount)
                .isEqualTo(2);
        assertThat(recorder.stats())
                .returns(1L, EventRecorderStats::created)
                .returns(1L, EventRecorderStats::aggregated);
    }

    @Test
    void theSeriesCapEndsTheQuietestSeriesAndWritesItsPendingCount() {
        // One writer: with several, maxSeries is split over them and the two pods may not share a writer.
        EventRecorder recorder = start(builder().writers(1).maxSeries(1).rateLimit(1, Duration.ofHours(1)));
        Pod quiet = pod("users", "quiet", "u1");
        recorder.record(quiet, EventType.WARNING, "BackOff", "Start", "back-off");
        recorder.record(quiet, EventType.WARNING, "BackOff", "Start", "back-off"); // no token left: pending
        awaitProcessed(2);
        assertThat(events("users"))
                .singleElement()
                .extracting(EventRecorderTest::seriesCount)
                .isEqualTo(1);

        recorder.record(pod("users", "busy", "u2"), EventType.NORMAL, "Created", "Create", "evicts the quiet series");
        awaitProcessed(3);

        await().atMost(Duration.ofSeconds(60)).until(() -> recorder.stats().aggregated() == 1);
        assertThat(events("users")).extracting(EventRecorderTest::seriesCount).containsExactlyInAnyOrder(2, 1);
    }

    @Test
    void theAuditLogCanBeSwitchedOff() {
        EventRecorder recorder = start(builder().auditLog(false));
        recorder.record(pod("users", "p", "u"), EventType.NORMAL, "Created", "Create", "events only");

        await().atMost(Duration.ofSeconds(60)).until(() -> recorder.stats().created() == 1);
        assertThat(audit.lines()).isEmpty();
    }

    @Test
    void invalidInputIsDroppedAndCountedNeverThrown() {
        EventRecorder recorder = start(builder());
        Pod pod = pod("users", "p", "u");

        recorder.record(null, EventType.NORMAL, "Reason", "Action", "no regarding object");
        recorder.record(new Pod(), EventType.NORMAL, "Reason", "Action", "regarding without a name");
        recorder.record(pod, null, "Reason", "Action", "no type");
        recorder.record(pod, EventType.NORMAL, " ", "Action", "blank reason");
        recorder.record(pod, EventType.NORMAL, "Reason", null, "no action");
        recorder.record(pod, EventType.NORMAL, (EventReason) null, EventAction.of("Action"), "no reason");

        assertThat(recorder.stats())
                .returns(6L, EventRecorderStats::droppedInvalid)
                .returns(6L, EventRecorderStats::dropped);
    }

    @Test
    void afterCloseEventsAreDroppedAndCounted() {
        EventRecorder recorder = start(builder());
        recorder.close();

        recorder.record(pod("users", "p", "u"), EventType.NORMAL, "Late", "Stop", "after close");

        assertThat(recorder.stats()).returns(1L, EventRecorderStats::droppedClosed);
        assertThat(events("users")).isEmpty();
    }

    @Test
    void auditLogLineCarriesTheEventFields() {
        EventRecorder recorder = start(builder());
        Pod pod = pod("users", "p", "u");
        recorder.record(pod, EventType.WARNING, "BackOff", "Start", "line\nbreak \"quoted\"");
        clock.advance(Duration.ofSeconds(30));
        recorder.record(pod, EventType.WARNING, "BackOff", "Start", "line\nbreak \"quoted\"");
        awaitProcessed(2);

        List<JsonNode> lines = audit.lines();
        assertThat(lines).hasSize(2);
        JsonNode second = lines.get(1);
        assertThat(second.get("name").asText())
                .isEqualTo(events("users").get(0).getMetadata().getName());
        assertThat(second.get("namespace").asText()).isEqualTo("users");
        assertThat(second.get("type").asText()).isEqualTo("Warning");
        assertThat(second.get("reason").asText()).isEqualTo("BackOff");
        assertThat(second.get("action").asText()).isEqualTo("Start");
        assertThat(second.get("note").asText()).isEqualTo("line\nbreak \"quoted\"");
        assertThat(second.get("regarding").get("uid").asText()).isEqualTo("u");
        assertThat(second.get("regarding").get("kind").asText()).isEqualTo("Pod");
        assertThat(second.get("reportingController").asText()).isEqualTo(CONTROLLER);
        assertThat(second.get("reportingInstance").asText()).isEqualTo("operator-0");
        assertThat(second.get("eventTime").asText()).isEqualTo("2026-11-25T10:00:00.123456Z");
        assertThat(second.get("observedTime").asText()).isEqualTo("2026-11-25T10:00:30.123456Z");
        assertThat(second.get("series").get("count").asInt()).isEqualTo(2);
        assertThat(lines.get(0).has("series")).isFalse();
        assertThat(lines.get(0).has("related")).isFalse();
    }
}
