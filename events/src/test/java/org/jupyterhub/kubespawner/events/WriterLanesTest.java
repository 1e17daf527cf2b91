package org.jupyterhub.kubespawner.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.slf4j.helpers.NOPLogger;

/** The lanes on their own: threads, queues, routing and the drain on close. */
@EnableKubernetesMockClient(crud = true)
class WriterLanesTest {

    KubernetesClient client;

    private WriterLanes lanes(RecorderSettings settings, Counters counters) {
        NamespaceGate namespaces = new NamespaceGate(settings.terminatingNamespaceGiveUp(), settings.clock());
        return new WriterLanes(
                settings,
                new RecorderWorker.Shared(
                        new KubernetesEventWriter(client, namespaces),
                        namespaces,
                        new EventFactory(settings.reportingController(), settings.reportingInstance()),
                        new AuditLog(
                                NOPLogger.NOP_LOGGER, settings.reportingController(), settings.reportingInstance()),
                        counters));
    }

    private EventRecorder.Builder settings() {
        return EventRecorder.builder(client)
                .reportingController("example.com/c")
                .reportingInstance("r");
    }

    private static ObjectReference ref(String namespace, String name) {
        return new ObjectReferenceBuilder()
                .withApiVersion("v1")
                .withKind("Pod")
                .withNamespace(namespace)
                .withName(name)
                .build();
    }

    private static Occurrence occurrence(String name) {
        return new Occurrence(ref("users", name), null, EventType.NORMAL, "Created", "Create", "", Instant.now());
    }

    @Test
    void oneNamedDaemonThreadPerLaneEachWithItsShareOfTheQueue() {
        Counters counters = new Counters();
        RecorderSettings settings = settings().writers(3).queueCapacity(10).settings();
        WriterLanes lanes = lanes(settings, counters);
        try {
            assertThat(lanes.size()).isEqualTo(3);
            Set<String> threads = new HashSet<>();
            IntStream.range(0, 200).forEach(i -> {
                WriterLanes.Lane lane = lanes.laneFor(occurrence("pod-" + i));
                assertThat(lane.thread().isDaemon()).isTrue();
                assertThat(lane.queue().remainingCapacity() + lane.queue().size())
                        .isEqualTo(4);
                threads.add(lane.thread().getName());
            });
            assertThat(threads).containsExactlyInAnyOrder("event-recorder-0", "event-recorder-1", "event-recorder-2");
        } finally {
            assertThat(lanes.drain(Duration.ofSeconds(5))).isZero();
        }
    }

    @Test
    void routingIsStableAndIgnoresTheUid() {
        ObjectReference a = ref("users", "jupyter-ada");
        ObjectReference withUid = new ObjectReferenceBuilder(a).withUid("u-1").build();
        assertThat(WriterLanes.laneOf(withUid, 4)).isEqualTo(WriterLanes.laneOf(a, 4));
        // String.hashCode is specified: the same object always meets the same lane, in every process.
        assertThat(WriterLanes.laneOf(a, 4)).isEqualTo(WriterLanes.laneOf(ref("users", "jupyter-ada"), 4));
        assertThat(WriterLanes.laneOf(ref(null, "node-1"), 4)).isEqualTo(WriterLanes.laneOf(ref("", "node-1"), 4));
        assertThat(IntStream.range(0, 100).map(i -> WriterLanes.laneOf(ref("users", "p" + i), 4)))
                .allMatch(lane -> lane >= 0 && lane < 4);
    }

    @Test
    void drainWritesWhatIsQueuedAndStopsTheThreads() {
        Counters counters = new Counters();
        RecorderSettings settings = settings().writers(2).settings();
        WriterLanes lanes = lanes(settings, counters);
        for (int i = 0; i < 20; i++) {
            Occurrence o = occurrence("pod-" + i);
            assertThat(lanes.laneFor(o).queue().offer(o)).isTrue();
        }

        assertThat(lanes.drain(Duration.ofSeconds(10))).isZero();

        assertThat(counters.snapshot().created()).isEqualTo(20);
        assertThat(counters.snapshot().droppedClosed()).isZero();
        assertThat(IntStream.range(0, 20)
                        .mapToObj(i -> lanes.laneFor(occurrence("pod-" + i)).thread()))
                .noneMatch(Thread::isAlive);
        assertThat(client.events().v1().events().inNamespace("users").list().getItems())
                .hasSize(20);
    }
}
