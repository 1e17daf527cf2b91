package org.jupyterhub.kubespawner.operator.instance;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.jupyterhub.kubespawner.operator.vocabulary.Reason;

/** The first status of a spawn waits briefly for a pod that starts without trouble, and for nothing else. */
class FirstStatusWaitTest {

    private static final Instant CREATED = Instant.parse("2026-01-01T10:00:00Z");
    private static final Duration GRACE = FirstStatusHold.FIRST_STATUS_GRACE;
    private final PodObservation starting = new PodObservation.Starting(Reason.PodStarting, "pod is Pending");

    @Test
    void aPodStartingWithoutTroubleGetsTheRestOfTheGrace() {
        assertThat(FirstStatusHold.firstStatusWait(false, starting, CREATED, CREATED.plusMillis(300), GRACE))
                .isEqualTo(Duration.ofMillis(1700));
    }

    @Test
    void claimsStillBeingBoundWaitLikeAStartingPod() {
        PodObservation pending = new PodObservation.Starting(Reason.ClaimPending, "waits for its claims to be bound");
        assertThat(FirstStatusHold.firstStatusWait(false, pending, CREATED, CREATED.plusMillis(500), GRACE))
                .isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void afterTheGraceTheStatusIsWritten() {
        assertThat(FirstStatusHold.firstStatusWait(false, starting, CREATED, CREATED.plusSeconds(2), GRACE))
                .isNull();
    }

    @Test
    void aSkewedClockNeverWaitsLongerThanTheGrace() {
        assertThat(FirstStatusHold.firstStatusWait(false, starting, CREATED, CREATED.minusSeconds(30), GRACE))
                .isEqualTo(FirstStatusHold.FIRST_STATUS_GRACE);
    }

    @Test
    void whatHoldsThePodUpAndWhatIsDoneAreWrittenAtOnce() {
        Instant now = CREATED.plusMillis(100);
        assertThat(FirstStatusHold.firstStatusWait(
                        false,
                        new PodObservation.Starting(Reason.FailedScheduling, "0/3 nodes are available"),
                        CREATED,
                        now,
                        GRACE))
                .isNull();
        assertThat(FirstStatusHold.firstStatusWait(false, new PodObservation.Ready("10.0.0.1"), CREATED, now, GRACE))
                .isNull();
        assertThat(FirstStatusHold.firstStatusWait(
                        false, new PodObservation.Ended(Reason.PodFailed, "exit 1"), CREATED, now, GRACE))
                .isNull();
        assertThat(FirstStatusHold.firstStatusWait(false, new PodObservation.Missing(), null, now, GRACE))
                .isNull();
    }

    @Test
    void aBurstOfSpawnsWaitsLongerForItsPods() {
        assertThat(FirstStatusHold.firstStatusGrace(0)).isEqualTo(FirstStatusHold.FIRST_STATUS_GRACE);
        assertThat(FirstStatusHold.firstStatusGrace(FirstStatusHold.BUSY_SPAWNS - 1))
                .isEqualTo(FirstStatusHold.FIRST_STATUS_GRACE);
        Duration busy = FirstStatusHold.firstStatusGrace(FirstStatusHold.BUSY_SPAWNS);
        assertThat(busy).isGreaterThan(FirstStatusHold.FIRST_STATUS_GRACE);
        // 5 s into a pod's start: written now when spawns are few, held back in a burst.
        assertThat(FirstStatusHold.firstStatusWait(false, starting, CREATED, CREATED.plusSeconds(5), GRACE))
                .isNull();
        assertThat(FirstStatusHold.firstStatusWait(false, starting, CREATED, CREATED.plusSeconds(5), busy))
                .isEqualTo(busy.minusSeconds(5));
        assertThat(FirstStatusHold.firstStatusWait(
                        false,
                        new PodObservation.Starting(Reason.FailedScheduling, "0/3 nodes are available"),
                        CREATED,
                        CREATED.plusSeconds(5),
                        busy))
                .isNull();
    }

    @Test
    void onlyTheFirstStatusOfASpawnWaits() {
        assertThat(FirstStatusHold.firstStatusWait(true, starting, CREATED, CREATED.plusMillis(300), GRACE))
                .isNull();
    }
}
