package org.jupyterhub.kubespawner.operator.instance;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.jupyterhub.kubespawner.operator.Examples;
import org.jupyterhub.kubespawner.operator.template.TemplateResolution;
import org.jupyterhub.kubespawner.operator.vocabulary.Conditions;
import org.jupyterhub.kubespawner.operator.vocabulary.Reason;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus.Phase;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancestatus.ResourcesBuilder;

class InstanceStatusAggregatorTest {

    private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    private final InstanceStatusAggregator aggregator = new InstanceStatusAggregator(TIMEOUT);
    private final JupyterNotebookInstanceTemplate template = Examples.template(); // generation 3
    private final TemplateResolution resolved = new TemplateResolution.Resolved(template);
    private final Spawn spawn = new Spawn(
            3,
            "jupyter-ada",
            8888,
            List.of(
                    new ResourcesBuilder()
                            .withKind("PersistentVolumeClaim")
                            .withName("claim-ada")
                            .withState("Retained")
                            .build(),
                    new ResourcesBuilder()
                            .withKind("Pod")
                            .withName("jupyter-ada")
                            .withState("Created")
                            .build()));

    private InstanceFacts facts(
            TemplateResolution resolution, Rejection rejection, Spawn spawn, PodObservation pod, Instant startedAt) {
        return new InstanceFacts(7, resolution, rejection, null, spawn, pod, startedAt, false);
    }

    private InstanceFacts running(PodObservation pod) {
        return facts(resolved, null, spawn, pod, T0);
    }

    @Test
    void readyPodGivesUrlAndAllConditionsTrue() {
        JupyterNotebookInstanceStatus s = aggregator
                .aggregate(null, running(new PodObservation.Ready("10.1.2.3")), T0.plusSeconds(5))
                .status();

        assertThat(s.getPhase()).isEqualTo(Phase.READY);
        assertThat(s.getPodIP()).isEqualTo("10.1.2.3");
        assertThat(s.getUrl()).isEqualTo("http://10.1.2.3:8888");
        assertThat(s.getPort()).isEqualTo(8888);
        assertThat(s.getPodName()).isEqualTo("jupyter-ada");
        assertThat(s.getObservedGeneration()).isEqualTo(7L);
        assertThat(s.getTemplateGeneration()).isEqualTo(3L);
        assertThat(s.getConditions())
                .extracting(c -> c.getType() + "=" + c.getStatus() + "/" + c.getReason())
                .containsExactly(
                        "TemplateResolved=True/TemplateFound",
                        "ResourcesCreated=True/Created",
                        "Ready=True/PodReady",
                        "UpToDate=True/TemplateUnchanged");
        assertThat(s.getConditions()).allSatisfy(c -> {
            assertThat(c.getObservedGeneration()).isEqualTo(7L);
            assertThat(c.getLastTransitionTime()).isEqualTo("2026-01-01T10:00:05Z");
        });
        assertThat(s.getResources())
                .extracting(r -> r.getName() + "=" + r.getState())
                .containsExactly("claim-ada=Retained", "jupyter-ada=Ready");
    }

    @Test
    void ipv6AddressIsBracketedInTheUrl() {
        JupyterNotebookInstanceStatus s = aggregator
                .aggregate(null, running(new PodObservation.Ready("fd00::5")), T0)
                .status();

        assertThat(s.getUrl()).isEqualTo("http://[fd00::5]:8888");
    }

    @Test
    void sameFactsLaterGiveAnEqualStatusSoNothingIsWritten() {
        JupyterNotebookInstanceStatus first = aggregator
                .aggregate(null, running(new PodObservation.Ready("10.1.2.3")), T0.plusSeconds(5))
                .status();

        JupyterNotebookInstanceStatus again = aggregator
                .aggregate(first, running(new PodObservation.Ready("10.1.2.3")), T0.plusSeconds(500))
                .status();

        assertThat(again).isEqualTo(first);
    }

    @Test
    void lastTransitionTimeMovesOnlyForConditionsThatFlip() {
        JupyterNotebookInstanceStatus starting = aggregator
                .aggregate(
                        null,
                        running(new PodObservation.Starting(Reason.PodStarting, "pod jupyter-ada is Pending")),
                        T0.plusSeconds(1))
                .status();

        JupyterNotebookInstanceStatus ready = aggregator
                .aggregate(starting, running(new PodObservation.Ready("10.1.2.3")), T0.plusSeconds(9))
                .status();

        assertThat(time(ready, "Ready")).isEqualTo("2026-01-01T10:00:09Z");
        assertThat(time(ready, "TemplateResolved")).isEqualTo("2026-01-01T10:00:01Z");
        assertThat(time(ready, "ResourcesCreated")).isEqualTo("2026-01-01T10:00:01Z");
    }

    @Test
    void startingPodIsProvisioningWithARecheckAtTheTimeout() {
        InstanceStatusAggregator.Result r = aggregator.aggregate(
                null,
                running(new PodObservation.Starting(
                        Reason.FailedScheduling, "pod jupyter-ada cannot be scheduled: 0/3")),
                T0.plusSeconds(60));

        assertThat(r.status().getPhase()).isEqualTo(Phase.PROVISIONING);
        assertThat(r.status().getUrl()).isNull();
        assertThat(reason(r.status(), "Ready")).isEqualTo("False/FailedScheduling");
        assertThat(r.recheckAfter()).isEqualTo(Duration.ofSeconds(241));
        assertThat(r.status().getResources().get(1).getState()).isEqualTo("Pending");
        assertThat(r.status().getResources().get(1).getMessage()).contains("cannot be scheduled");
    }

    @Test
    void blockedPodFailsWithItsBlockerOnceTheTimeoutPassed() {
        InstanceStatusAggregator.Result r = aggregator.aggregate(
                null,
                running(new PodObservation.Starting(Reason.ImagePullBackOff, "container notebook: ImagePullBackOff")),
                T0.plus(TIMEOUT));

        assertThat(r.status().getPhase()).isEqualTo(Phase.FAILED);
        assertThat(reason(r.status(), "Ready")).isEqualTo("False/ImagePullBackOff");
        assertThat(r.status().getMessage()).contains("progress timeout").contains("ImagePullBackOff");
        assertThat(r.recheckAfter()).isNull();
    }

    @Test
    void slowPodWithoutKnownBlockerFailsAsProgressDeadlineExceeded() {
        JupyterNotebookInstanceStatus s = aggregator
                .aggregate(
                        null,
                        running(new PodObservation.Starting(Reason.PodStarting, "pod jupyter-ada is Pending")),
                        T0.plus(TIMEOUT).plusSeconds(1))
                .status();

        assertThat(reason(s, "Ready")).isEqualTo("False/ProgressDeadlineExceeded");
    }

    @Test
    void claimsStillBeingBoundAreProvisioningThenProgressDeadlineExceeded() {
        PodObservation pending = new PodObservation.Starting(
                Reason.ClaimPending,
                "pod jupyter-ada waits for its PersistentVolumeClaims to be bound: 0/3 nodes are available");

        JupyterNotebookInstanceStatus waiting =
                aggregator.aggregate(null, running(pending), T0.plusSeconds(1)).status();
        JupyterNotebookInstanceStatus failed = aggregator
                .aggregate(waiting, running(pending), T0.plus(TIMEOUT))
                .status();

        assertThat(waiting.getPhase()).isEqualTo(Phase.PROVISIONING);
        assertThat(reason(waiting, "Ready")).isEqualTo("False/ClaimPending");
        assertThat(waiting.getResources().get(1).getMessage()).contains("to be bound");
        assertThat(failed.getPhase()).isEqualTo(Phase.FAILED);
        assertThat(reason(failed, "Ready")).isEqualTo("False/ProgressDeadlineExceeded");
        assertThat(failed.getMessage()).contains("progress timeout").contains("to be bound");
    }

    @Test
    void endedPodFailsAtOnce() {
        JupyterNotebookInstanceStatus s = aggregator
                .aggregate(
                        null,
                        running(new PodObservation.Ended(Reason.PodFailed, "pod jupyter-ada failed: OOMKilled")),
                        T0)
                .status();

        assertThat(s.getPhase()).isEqualTo(Phase.FAILED);
        assertThat(reason(s, "Ready")).isEqualTo("False/PodFailed");
        assertThat(s.getMessage()).contains("OOMKilled");
        assertThat(s.getResources().get(1).getState()).isEqualTo("Failed");
    }

    @Test
    void podGoneAfterTheSpawnIsPodDeleted() {
        JupyterNotebookInstanceStatus s = aggregator
                .aggregate(null, running(new PodObservation.Missing()), T0)
                .status();

        assertThat(s.getPhase()).isEqualTo(Phase.FAILED);
        assertThat(reason(s, "Ready")).isEqualTo("False/PodDeleted");
        assertThat(s.getResources().get(1).getState()).isEqualTo("Missing");
    }

    @Test
    void changedTemplateMarksTheInstanceOutOfDateButKeepsItReady() {
        template.getMetadata().setGeneration(4L);

        JupyterNotebookInstanceStatus s = aggregator
                .aggregate(null, running(new PodObservation.Ready("10.1.2.3")), T0)
                .status();

        assertThat(s.getPhase()).isEqualTo(Phase.READY);
        assertThat(reason(s, "UpToDate")).isEqualTo("False/TemplateChanged");
        assertThat(message(s, "UpToDate")).contains("3 -> 4").contains("next start");
    }

    @Test
    void deletedTemplateUnderARunningServerIsOutOfDate() {
        JupyterNotebookInstanceStatus s = aggregator
                .aggregate(
                        null,
                        facts(
                                new TemplateResolution.NotFound("ns", "t"),
                                null,
                                spawn,
                                new PodObservation.Ready("10.1.2.3"),
                                T0),
                        T0)
                .status();

        assertThat(s.getPhase()).isEqualTo(Phase.READY);
        assertThat(reason(s, "TemplateResolved")).isEqualTo("False/TemplateNotFound");
        assertThat(reason(s, "UpToDate")).isEqualTo("False/TemplateDeleted");
    }

    @Test
    void missingTemplateBeforeTheSpawnFails() {
        JupyterNotebookInstanceStatus s = aggregator
                .aggregate(
                        null,
                        facts(
                                new TemplateResolution.NotFound("hub", "t"),
                                null,
                                null,
                                new PodObservation.Missing(),
                                null),
                        T0)
                .status();

        assertThat(s.getPhase()).isEqualTo(Phase.FAILED);
        assertThat(s.getMessage()).isEqualTo("template hub/t does not exist");
        assertThat(reason(s, "TemplateResolved")).isEqualTo("False/TemplateNotFound");
        assertThat(reason(s, "ResourcesCreated")).isEqualTo("False/NotCreated");
        assertThat(reason(s, "UpToDate")).isEqualTo("Unknown/NotRendered");
        assertThat(s.getPodName()).isNull();
        assertThat(s.getTemplateGeneration()).isNull();
    }

    @Test
    void rejectionFailsWithEveryMessage() {
        Rejection rejection = new Rejection(
                Reason.VariablesRejected,
                List.of("spec.variables.user: does not match", "spec.variables.x: not declared"));

        JupyterNotebookInstanceStatus s = aggregator
                .aggregate(null, facts(resolved, rejection, null, new PodObservation.Missing(), null), T0)
                .status();

        assertThat(s.getPhase()).isEqualTo(Phase.FAILED);
        assertThat(reason(s, "TemplateResolved")).isEqualTo("True/TemplateFound");
        assertThat(reason(s, "Ready")).isEqualTo("False/VariablesRejected");
        assertThat(s.getMessage()).contains("2 problems").contains("user").contains("x: not declared");
    }

    @Test
    void createFailureIsReportedOnResourcesCreated() {
        JupyterNotebookInstanceStatus s = aggregator
                .aggregate(
                        null,
                        new InstanceFacts(
                                1,
                                resolved,
                                new Rejection(
                                        Reason.CreateFailed,
                                        List.of("the API server rejected Pod p: spec.containers[0].image: Required"
                                                + " value")),
                                null,
                                null,
                                new PodObservation.Missing(),
                                null,
                                false),
                        T0)
                .status();

        assertThat(s.getPhase()).isEqualTo(Phase.FAILED);
        assertThat(reason(s, "ResourcesCreated")).isEqualTo("False/CreateFailed");
        assertThat(s.getMessage()).contains("Required value");
    }

    private static Condition find(JupyterNotebookInstanceStatus s, String type) {
        return Conditions.find(s.getConditions(), type);
    }

    private static String time(JupyterNotebookInstanceStatus s, String type) {
        return find(s, type).getLastTransitionTime();
    }

    private static String reason(JupyterNotebookInstanceStatus s, String type) {
        return find(s, type).getStatus() + "/" + find(s, type).getReason();
    }

    private static String message(JupyterNotebookInstanceStatus s, String type) {
        return find(s, type).getMessage();
    }
}
