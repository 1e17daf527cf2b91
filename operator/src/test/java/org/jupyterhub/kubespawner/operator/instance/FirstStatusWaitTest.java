package org.jupyterhub.kubespawner.operator.instance;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.jupyterhub.kubespawner.operator.status.PodObservation;
import org.jupyterhub.kubespawner.operator.status.Reason;
import org.junit.jupiter.api.Test;

/** The first status of a spawn waits briefly for a pod that starts without trouble, and for nothing else. */
class FirstStatusWaitTest {

  private static final Instant CREATED = Instant.parse("2026-01-01T10:00:00Z");
  private final PodObservation starting = new PodObservation.Starting(Reason.PodStarting, "pod is Pending");

  @Test
  void aPodStartingWithoutTroubleGetsTheRestOfTheGrace() {
    assertThat(InstanceReconciler.firstStatusWait(false, starting, CREATED, CREATED.plusMillis(300)))
        .isEqualTo(Duration.ofMillis(1700));
  }

  @Test
  void afterTheGraceTheStatusIsWritten() {
    assertThat(InstanceReconciler.firstStatusWait(false, starting, CREATED, CREATED.plusSeconds(2))).isNull();
  }

  @Test
  void aSkewedClockNeverWaitsLongerThanTheGrace() {
    assertThat(InstanceReconciler.firstStatusWait(false, starting, CREATED, CREATED.minusSeconds(30)))
        .isEqualTo(InstanceReconciler.FIRST_STATUS_GRACE);
  }

  @Test
  void whatHoldsThePodUpAndWhatIsDoneAreWrittenAtOnce() {
    Instant now = CREATED.plusMillis(100);
    assertThat(InstanceReconciler.firstStatusWait(false,
        new PodObservation.Starting(Reason.FailedScheduling, "0/3 nodes are available"), CREATED, now)).isNull();
    assertThat(InstanceReconciler.firstStatusWait(false, new PodObservation.Ready("10.0.0.1"), CREATED, now))
        .isNull();
    assertThat(InstanceReconciler.firstStatusWait(false,
        new PodObservation.Ended(Reason.PodFailed, "exit 1"), CREATED, now)).isNull();
    assertThat(InstanceReconciler.firstStatusWait(false, new PodObservation.Missing(), null, now)).isNull();
  }

  @Test
  void onlyTheFirstStatusOfASpawnWaits() {
    assertThat(InstanceReconciler.firstStatusWait(true, starting, CREATED, CREATED.plusMillis(300)))
        .isNull();
  }
}
