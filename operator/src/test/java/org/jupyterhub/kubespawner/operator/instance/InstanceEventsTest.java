package org.jupyterhub.kubespawner.operator.instance;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.jupyterhub.kubespawner.events.EventType;
import org.jupyterhub.kubespawner.operator.Examples;
import org.jupyterhub.kubespawner.operator.instance.InstanceEvents.Decision;
import org.jupyterhub.kubespawner.operator.instance.InstanceStatusAggregator.Result;
import org.jupyterhub.kubespawner.operator.template.TemplateResolution;
import org.jupyterhub.kubespawner.operator.vocabulary.Action;
import org.jupyterhub.kubespawner.operator.vocabulary.Reason;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;

class InstanceEventsTest {

    private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
    private final InstanceStatusAggregator aggregator = new InstanceStatusAggregator(Duration.ofMinutes(5));
    private final JupyterNotebookInstanceTemplate template = Examples.template();
    private final Spawn spawn = new Spawn(3, "jupyter-ada", 8888, List.of());

    private Result status(
            Result previous, TemplateResolution resolution, Rejection rejection, Spawn spawn, PodObservation pod) {
        return aggregator.aggregate(
                previous == null ? null : previous.status(),
                new InstanceFacts(1, resolution, rejection, null, spawn, pod, T0, false),
                T0);
    }

    private Result running(Result previous, PodObservation pod) {
        return status(previous, new TemplateResolution.Resolved(template), null, spawn, pod);
    }

    private static List<Decision> transitions(Result before, Result after) {
        return InstanceEvents.transitions(before == null ? null : before.status(), after);
    }

    @Test
    void firstSpawnTellsTheResolutionNotTheStartThatResourceCreatedTells() {
        List<Decision> d = transitions(
                null, running(null, new PodObservation.Starting(Reason.PodStarting, "pod jupyter-ada is Pending")));

        assertThat(d)
                .extracting(Decision::type, Decision::reason, Decision::action)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(EventType.NORMAL, Reason.TemplateFound, Action.Resolve));
    }

    @Test
    void aReadyPodStartingAgainIsAnEvent() {
        Result ready = running(null, new PodObservation.Ready("10.0.0.1"));
        Result again = running(ready, new PodObservation.Starting(Reason.PodStarting, "pod jupyter-ada is not ready"));

        assertThat(transitions(ready, again)).singleElement().satisfies(d -> {
            assertThat(d.type()).isEqualTo(EventType.NORMAL);
            assertThat(d.reason()).isEqualTo(Reason.PodStarting);
        });
    }

    @Test
    void aBlockedFirstStartIsAWarningEvent() {
        List<Decision> d = transitions(
                null, running(null, new PodObservation.Starting(Reason.FailedScheduling, "0/3 nodes are available")));

        assertThat(d)
                .extracting(Decision::type, Decision::reason)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(EventType.NORMAL, Reason.TemplateFound),
                        org.assertj.core.groups.Tuple.tuple(EventType.WARNING, Reason.FailedScheduling));
    }

    @Test
    void claimsBeingBoundAreANormalEventUntilTheTimeoutMakesThemAWarning() {
        PodObservation pending = new PodObservation.Starting(Reason.ClaimPending, "waits for its claims to be bound");
        Result waiting = running(null, pending);
        Result failed = aggregator.aggregate(
                waiting.status(),
                new InstanceFacts(1, new TemplateResolution.Resolved(template), null, null, spawn, pending, T0, false),
                T0.plus(Duration.ofMinutes(5)));

        assertThat(transitions(null, waiting))
                .extracting(Decision::type, Decision::reason)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(EventType.NORMAL, Reason.TemplateFound),
                        org.assertj.core.groups.Tuple.tuple(EventType.NORMAL, Reason.ClaimPending));
        assertThat(transitions(waiting, failed)).singleElement().satisfies(d -> {
            assertThat(d.type()).isEqualTo(EventType.WARNING);
            assertThat(d.reason()).isEqualTo(Reason.ProgressDeadlineExceeded);
        });
    }

    @Test
    void nothingChangedMeansNoEvent() {
        Result ready = running(null, new PodObservation.Ready("10.0.0.1"));

        assertThat(transitions(ready, running(ready, new PodObservation.Ready("10.0.0.1"))))
                .isEmpty();
    }

    @Test
    void readinessAndFailureAreOneEventEach() {
        Result starting = running(null, new PodObservation.Starting(Reason.PodStarting, "pending"));
        Result ready = running(starting, new PodObservation.Ready("10.0.0.1"));
        Result failed = running(ready, new PodObservation.Ended(Reason.PodFailed, "OOMKilled"));

        assertThat(transitions(starting, ready)).singleElement().satisfies(d -> {
            assertThat(d.type()).isEqualTo(EventType.NORMAL);
            assertThat(d.reason()).isEqualTo(Reason.PodReady);
            assertThat(d.note()).contains("http://10.0.0.1:8888");
        });
        assertThat(transitions(ready, failed)).singleElement().satisfies(d -> {
            assertThat(d.type()).isEqualTo(EventType.WARNING);
            assertThat(d.reason()).isEqualTo(Reason.PodFailed);
            assertThat(d.note()).contains("OOMKilled");
        });
    }

    @Test
    void missingTemplateIsOneWarningNotTwo() {
        List<Decision> d = transitions(
                null,
                status(null, new TemplateResolution.NotFound("hub", "t"), null, null, new PodObservation.Missing()));

        assertThat(d).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(EventType.WARNING);
            assertThat(e.reason()).isEqualTo(Reason.TemplateNotFound);
            assertThat(e.action()).isEqualTo(Action.Resolve);
        });
    }

    @Test
    void rejectionIsAnAdmissionWarningWithEveryMessage() {
        Rejection rejection = new Rejection(Reason.ImageDenied, List.of("image 'evil' is not allowed", "and more"));

        List<Decision> d = transitions(
                null,
                status(null, new TemplateResolution.Resolved(template), rejection, null, new PodObservation.Missing()));

        assertThat(d).extracting(Decision::reason).containsExactly(Reason.TemplateFound, Reason.ImageDenied);
        assertThat(d.get(1).type()).isEqualTo(EventType.WARNING);
        assertThat(d.get(1).action()).isEqualTo(Action.Admit);
        assertThat(d.get(1).note()).contains("evil").contains("and more");
    }

    @Test
    void templateChangeUnderARunningServerIsANormalEvent() {
        Result ready = running(null, new PodObservation.Ready("10.0.0.1"));
        template.getMetadata().setGeneration(4L);

        assertThat(transitions(ready, running(ready, new PodObservation.Ready("10.0.0.1"))))
                .extracting(Decision::reason, Decision::type, Decision::action)
                .contains(
                        org.assertj.core.groups.Tuple.tuple(Reason.TemplateChanged, EventType.NORMAL, Action.Compare));
    }
}
