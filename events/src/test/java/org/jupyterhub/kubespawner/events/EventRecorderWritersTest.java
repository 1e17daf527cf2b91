package org.jupyterhub.kubespawner.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.jupyterhub.kubespawner.events.AuditLogCapture.Line;

/** Several writer threads on fabric8's CRUD mock API server: routing, order per object, exact counters. */
@EnableKubernetesMockClient(crud = true)
class EventRecorderWritersTest {

    KubernetesClient client;

    @RegisterExtension
    final Recorders recorders = new Recorders(() -> client);

    private final AuditLogCapture audit = recorders.audit;

    private static Pod pod(String name) {
        return Recorders.pod("users", name);
    }

    private static String regardingName(Line line) {
        return line.json().get("regarding").get("name").asText();
    }

    @Test
    void eachObjectsEventsKeepTheirOrderWhileSeveralThreadsWrite() {
        EventRecorder recorder = recorders.start(recorders.builder().writers(4));
        List<String> objects =
                IntStream.range(0, 40).mapToObj(i -> "jupyter-user-" + i).toList();
        int steps = 15; // below the rate limit's burst of 25, so every one is created
        for (int step = 0; step < steps; step++) {
            for (String object : objects) { // interleaved, as a burst of reconciles records them
                recorder.record(pod(object), EventType.NORMAL, "Step", "Spawn", "step %02d".formatted(step));
            }
        }

        int total = objects.size() * steps;
        await().atMost(Duration.ofSeconds(30)).until(() -> audit.captured().size() == total);

        List<Line> lines = audit.captured();
        Map<String, List<String>> notesByObject = lines.stream()
                .collect(Collectors.groupingBy(
                        EventRecorderWritersTest::regardingName,
                        Collectors.mapping(line -> line.json().get("note").asText(), Collectors.toList())));
        List<String> inOrder =
                IntStream.range(0, steps).mapToObj("step %02d"::formatted).toList();
        assertThat(notesByObject)
                .hasSize(objects.size())
                .allSatisfy((object, notes) -> assertThat(notes).as(object).containsExactlyElementsOf(inOrder));
        Map<String, Set<String>> threadsByObject = lines.stream()
                .collect(Collectors.groupingBy(
                        EventRecorderWritersTest::regardingName, Collectors.mapping(Line::thread, Collectors.toSet())));
        assertThat(threadsByObject)
                .allSatisfy((object, threads) -> assertThat(threads).as(object).hasSize(1));
        assertThat(lines).extracting(Line::thread).allMatch(thread -> thread.matches("event-recorder-[0-3]"));
        assertThat(lines.stream().map(Line::thread).distinct().count())
                .as("40 objects spread over several writer threads")
                .isGreaterThan(1);
        assertThat(recorder.stats())
                .returns((long) total, EventRecorderStats::submitted)
                .returns((long) total, EventRecorderStats::created)
                .returns(0L, EventRecorderStats::dropped);
    }

    @Test
    void oneObjectAlwaysMapsToTheSameWriterWithOrWithoutUid() {
        ObjectReference withUid = new ObjectReferenceBuilder()
                .withApiVersion("v1")
                .withKind("Pod")
                .withNamespace("users")
                .withName("jupyter-alice")
                .withUid("uid-1")
                .build();
        ObjectReference recreated =
                new ObjectReferenceBuilder(withUid).withUid("uid-2").build();
        ObjectReference withoutUid =
                new ObjectReferenceBuilder(withUid).withUid(null).build();

        for (int writers = 1; writers <= 16; writers++) {
            int lane = WriterLanes.laneOf(withUid, writers);
            assertThat(lane).isBetween(0, writers - 1);
            assertThat(WriterLanes.laneOf(recreated, writers)).isEqualTo(lane);
            assertThat(WriterLanes.laneOf(withoutUid, writers)).isEqualTo(lane);
        }
        long lanesUsed = IntStream.range(0, 100)
                .mapToObj(i -> new ObjectReferenceBuilder(withUid)
                        .withName("jupyter-user-" + i)
                        .build())
                .mapToInt(reference -> WriterLanes.laneOf(reference, 4))
                .distinct()
                .count();
        assertThat(lanesUsed).isEqualTo(4);
    }

    @Test
    void countersAreExactAfterCloseWithSeveralWriters() {
        // 2 writes per object per hour: the create and one series patch; the other repeats wait for close().
        EventRecorder recorder = recorders.start(recorders.builder().writers(4).rateLimit(2, Duration.ofHours(1)));
        List<String> objects =
                IntStream.range(0, 60).mapToObj(i -> "jupyter-user-" + i).toList();
        for (int repeat = 0; repeat < 4; repeat++) {
            for (String object : objects) {
                recorder.record(pod(object), EventType.WARNING, "BackOff", "Start", "image pull back-off");
            }
        }
        recorder.record(null, EventType.NORMAL, "Invalid", "Start", "no regarding object");

        recorder.close();

        EventRecorderStats stats = recorder.stats();
        assertThat(stats.submitted()).isEqualTo(241);
        assertThat(stats.created()).isEqualTo(60);
        assertThat(stats.aggregated()).isEqualTo(180);
        assertThat(stats.dropped()).isEqualTo(1).isEqualTo(stats.droppedInvalid());
        assertThat(stats.submitted()).isEqualTo(stats.created() + stats.aggregated() + stats.dropped());
        List<Event> events =
                client.events().v1().events().inNamespace("users").list().getItems();
        assertThat(events)
                .hasSize(60)
                .allSatisfy(event -> assertThat(event.getSeries().getCount()).isEqualTo(4));
    }
}
