package org.jupyterhub.kubespawner.operator.instance;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jupyterhub.kubespawner.operator.status.PodObservation;
import org.jupyterhub.kubespawner.operator.status.Reason;
import org.jupyterhub.kubespawner.operator.status.Spawn;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus;
import org.junit.jupiter.api.Test;

/** The first status of a spawn waits briefly for a pod that starts without trouble, and for nothing else. */
class FirstStatusWaitTest {

  private static final Instant CREATED = Instant.parse("2026-01-01T10:00:00Z");
  private final Spawn spawn = new Spawn(1, "jupyter-ada", 8888, List.of());
  private final PodObservation starting = new PodObservation.Starting(Reason.PodStarting, "pod is Pending");

  @Test
  void aPodStartingWithoutTroubleGetsTheRestOfTheGrace() {
    assertThat(InstanceReconciler.firstStatusWait(null, spawn, starting, CREATED, CREATED.plusMillis(300)))
        .isEqualTo(Duration.ofMillis(1700));
  }

  @Test
  void afterTheGraceTheStatusIsWritten() {
    assertThat(InstanceReconciler.firstStatusWait(null, spawn, starting, CREATED, CREATED.plusSeconds(2))).isNull();
  }

  @Test
  void aSkewedClockNeverWaitsLongerThanTheGrace() {
    assertThat(InstanceReconciler.firstStatusWait(null, spawn, starting, CREATED, CREATED.minusSeconds(30)))
        .isEqualTo(InstanceReconciler.FIRST_STATUS_GRACE);
  }

  @Test
  void whatHoldsThePodUpAndWhatIsDoneAreWrittenAtOnce() {
    Instant now = CREATED.plusMillis(100);
    assertThat(InstanceReconciler.firstStatusWait(null, spawn,
        new PodObservation.Starting(Reason.FailedScheduling, "0/3 nodes are available"), CREATED, now)).isNull();
    assertThat(InstanceReconciler.firstStatusWait(null, spawn, new PodObservation.Ready("10.0.0.1"), CREATED, now))
        .isNull();
    assertThat(InstanceReconciler.firstStatusWait(null, spawn,
        new PodObservation.Ended(Reason.PodFailed, "exit 1"), CREATED, now)).isNull();
    assertThat(InstanceReconciler.firstStatusWait(null, null, new PodObservation.Missing(), null, now)).isNull();
  }

  @Test
  void onlyTheFirstStatusOfASpawnWaits() {
    JupyterNotebookInstanceStatus recorded = new JupyterNotebookInstanceStatus();
    recorded.setTemplateGeneration(1L);
    recorded.setPodName("jupyter-ada");

    assertThat(InstanceReconciler.firstStatusWait(recorded, spawn, starting, CREATED, CREATED.plusMillis(300)))
        .isNull();
  }
}
