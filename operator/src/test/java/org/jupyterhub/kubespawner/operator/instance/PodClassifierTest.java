package org.jupyterhub.kubespawner.operator.instance;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import org.junit.jupiter.api.Test;
import org.jupyterhub.kubespawner.operator.vocabulary.Reason;

class PodClassifierTest {

    private static PodBuilder pod(String phase) {
        return new PodBuilder()
                .withNewMetadata()
                .withName("jupyter-ada")
                .endMetadata()
                .withNewStatus()
                .withPhase(phase)
                .endStatus();
    }

    private static ContainerStatus waiting(String name, String reason, String message) {
        return new ContainerStatusBuilder()
                .withName(name)
                .withNewState()
                .withNewWaiting()
                .withReason(reason)
                .withMessage(message)
                .endWaiting()
                .endState()
                .build();
    }

    private static Pod unschedulable(String message) {
        return pod("Pending")
                .editStatus()
                .withConditions(new PodConditionBuilder()
                        .withType("PodScheduled")
                        .withStatus("False")
                        .withReason("Unschedulable")
                        .withMessage(message)
                        .build())
                .endStatus()
                .build();
    }

    @Test
    void bindingAPodChangesNothingTheStatusIsMadeOf() {
        Pod pending = pod("Pending").build();
        Pod bound = pod("Pending")
                .editOrNewSpec()
                .withNodeName("kwok-node-0")
                .endSpec()
                .editStatus()
                .withConditions(new PodConditionBuilder()
                        .withType("PodScheduled")
                        .withStatus("True")
                        .build())
                .endStatus()
                .build();
        Pod ready = pod("Running")
                .editStatus()
                .withPodIP("10.0.0.7")
                .withConditions(new PodConditionBuilder()
                        .withType("Ready")
                        .withStatus("True")
                        .build())
                .endStatus()
                .build();

        assertThat(PodClassifier.changesObservation(bound, pending)).isFalse();
        assertThat(PodClassifier.changesObservation(ready, bound)).isTrue();
        assertThat(PodClassifier.changesObservation(unschedulable("0/3 nodes are available"), pending))
                .isTrue();
        assertThat(PodClassifier.changesObservation(pod("Running").build(), pending))
                .as("the phase is part of the message users see")
                .isTrue();
    }

    @Test
    void noPodIsMissing() {
        assertThat(PodClassifier.classify(null)).isEqualTo(new PodObservation.Missing());
    }

    @Test
    void readyPodWithAnIpIsReady() {
        Pod pod = pod("Running")
                .editStatus()
                .withPodIP("10.0.0.7")
                .withConditions(new PodConditionBuilder()
                        .withType("Ready")
                        .withStatus("True")
                        .build())
                .endStatus()
                .build();

        assertThat(PodClassifier.classify(pod)).isEqualTo(new PodObservation.Ready("10.0.0.7"));
    }

    @Test
    void readyConditionWithoutIpIsStillStarting() {
        Pod pod = pod("Running")
                .editStatus()
                .withConditions(new PodConditionBuilder()
                        .withType("Ready")
                        .withStatus("True")
                        .build())
                .endStatus()
                .build();

        assertThat(PodClassifier.classify(pod)).isInstanceOf(PodObservation.Starting.class);
    }

    @Test
    void imagePullBackOffIsNamedWithTheKubeletsMessage() {
        Pod pod = pod("Pending")
                .editStatus()
                .withContainerStatuses(
                        waiting("notebook", "ImagePullBackOff", "Back-off pulling image \"quay.io/x:1\""))
                .endStatus()
                .build();

        PodObservation o = PodClassifier.classify(pod);

        assertThat(o).isInstanceOfSatisfying(PodObservation.Starting.class, s -> {
            assertThat(s.blocker()).isEqualTo(Reason.ImagePullBackOff);
            assertThat(s.detail()).contains("container notebook").contains("Back-off pulling image");
        });
    }

    @Test
    void initContainerCrashLoopCounts() {
        Pod pod = pod("Pending")
                .editStatus()
                .withInitContainerStatuses(waiting("fix-permissions", "CrashLoopBackOff", null))
                .withContainerStatuses(waiting("notebook", "PodInitializing", null))
                .endStatus()
                .build();

        assertThat(PodClassifier.classify(pod))
                .isInstanceOfSatisfying(
                        PodObservation.Starting.class,
                        s -> assertThat(s.blocker()).isEqualTo(Reason.CrashLoopBackOff));
    }

    @Test
    void everyUnrecoverableWaitingReasonIsRecognised() {
        for (Reason reason : new Reason[] {
            Reason.ErrImagePull,
            Reason.ImagePullBackOff,
            Reason.InvalidImageName,
            Reason.CrashLoopBackOff,
            Reason.CreateContainerConfigError
        }) {
            Pod pod = pod("Pending")
                    .editStatus()
                    .withContainerStatuses(waiting("nb", reason.name(), "x"))
                    .endStatus()
                    .build();
            assertThat(((PodObservation.Starting) PodClassifier.classify(pod)).blocker())
                    .isEqualTo(reason);
        }
    }

    @Test
    void ordinaryWaitingIsJustStarting() {
        Pod pod = pod("Pending")
                .editStatus()
                .withContainerStatuses(waiting("nb", "ContainerCreating", null))
                .endStatus()
                .build();

        assertThat(PodClassifier.classify(pod))
                .isInstanceOfSatisfying(
                        PodObservation.Starting.class,
                        s -> assertThat(s.blocker()).isEqualTo(Reason.PodStarting));
    }

    @Test
    void unschedulablePodIsFailedScheduling() {
        Pod pod = unschedulable("0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.");

        assertThat(PodClassifier.classify(pod)).isInstanceOfSatisfying(PodObservation.Starting.class, s -> {
            assertThat(s.blocker()).isEqualTo(Reason.FailedScheduling);
            assertThat(s.detail()).contains("0/3 nodes are available");
        });
    }

    @Test
    void unboundClaimsAreProgressNotTrouble() {
        Pod pod = unschedulable("0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. not found");

        assertThat(PodClassifier.classify(pod)).isInstanceOfSatisfying(PodObservation.Starting.class, s -> {
            assertThat(s.blocker()).isEqualTo(Reason.ClaimPending);
            assertThat(s.blocker().isProgress()).isTrue();
            assertThat(s.detail())
                    .isEqualTo("pod jupyter-ada waits for its PersistentVolumeClaims to be bound: "
                            + "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. not found");
        });
    }

    @Test
    void failedPodTellsWhyAndTheExitCode() {
        Pod pod = pod("Failed")
                .editStatus()
                .withReason("Evicted")
                .withMessage("low on memory")
                .withContainerStatuses(new ContainerStatusBuilder()
                        .withName("notebook")
                        .withNewState()
                        .withNewTerminated()
                        .withExitCode(137)
                        .withReason("OOMKilled")
                        .endTerminated()
                        .endState()
                        .build())
                .endStatus()
                .build();

        assertThat(PodClassifier.classify(pod)).isInstanceOfSatisfying(PodObservation.Ended.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.PodFailed);
            assertThat(e.detail())
                    .contains("Evicted")
                    .contains("low on memory")
                    .contains("exited with code 137")
                    .contains("OOMKilled");
        });
    }

    @Test
    void succeededPodMeansTheServerExited() {
        assertThat(PodClassifier.classify(pod("Succeeded").build()))
                .isInstanceOfSatisfying(
                        PodObservation.Ended.class, e -> assertThat(e.reason()).isEqualTo(Reason.PodCompleted));
    }

    @Test
    void podBeingDeletedIsOver() {
        Pod pod = pod("Running")
                .editMetadata()
                .withDeletionTimestamp("2026-01-01T00:00:00Z")
                .endMetadata()
                .build();

        assertThat(PodClassifier.classify(pod))
                .isInstanceOfSatisfying(
                        PodObservation.Ended.class, e -> assertThat(e.reason()).isEqualTo(Reason.PodDeleted));
    }

    @Test
    void podWithoutStatusIsStarting() {
        Pod pod = new PodBuilder().withNewMetadata().withName("p").endMetadata().build();

        assertThat(PodClassifier.classify(pod)).isInstanceOf(PodObservation.Starting.class);
    }
}
