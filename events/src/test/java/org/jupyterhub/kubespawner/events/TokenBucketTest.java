package org.jupyterhub.kubespawner.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The one token bucket of the project, on a clock the test moves by hand. */
class TokenBucketTest {

    private static final long T = 5_000_000_000L;
    private static final long SECOND = 1_000_000_000L;

    @Test
    void burstPassesAtOnceThenReservationsWaitForTheRate() {
        TokenBucket bucket = TokenBucket.perSecond(1, 3, T);

        assertThat(bucket.reserve(T)).isZero();
        assertThat(bucket.reserve(T)).isZero();
        assertThat(bucket.reserve(T)).isZero();
        // At one a second, the 4th waits a second and the 5th two.
        assertThat(bucket.reserve(T)).isEqualTo(SECOND);
        assertThat(bucket.reserve(T)).isEqualTo(2 * SECOND);
        // The 6th, asked for 1.5 s later, is due 3 s after the start: it waits the other 1.5 s.
        assertThat(bucket.reserve(T + SECOND + SECOND / 2)).isEqualTo(SECOND + SECOND / 2);
    }

    @Test
    void tryAcquireTakesOnlyWhatIsThereAndRefillsOnePerInterval() {
        TokenBucket bucket = new TokenBucket(3, Duration.ofSeconds(10), T);

        assertThat(bucket.tryAcquire(T)).isTrue();
        assertThat(bucket.tryAcquire(T)).isTrue();
        assertThat(bucket.tryAcquire(T)).isTrue();
        assertThat(bucket.tryAcquire(T)).isFalse();
        assertThat(bucket.tryAcquire(T + 9 * SECOND)).isFalse();
        assertThat(bucket.tryAcquire(T + 10 * SECOND)).isTrue();
        assertThat(bucket.tryAcquire(T + 10 * SECOND)).isFalse();
        // Refills keep their fraction: 5 s into the next interval, 5 s more give the next token.
        assertThat(bucket.tryAcquire(T + 15 * SECOND)).isFalse();
        assertThat(bucket.tryAcquire(T + 20 * SECOND)).isTrue();
    }

    @Test
    void aFullBucketDoesNotSaveUpAndSaysSo() {
        TokenBucket bucket = new TokenBucket(2, Duration.ofSeconds(10), T);
        assertThat(bucket.isFull(T)).isTrue();
        bucket.tryAcquire(T);
        assertThat(bucket.isFull(T + 9 * SECOND)).isFalse();
        assertThat(bucket.isFull(T + 10 * SECOND)).isTrue();

        long hourLater = T + 3600 * SECOND;
        assertThat(bucket.tryAcquire(hourLater)).isTrue();
        assertThat(bucket.tryAcquire(hourLater)).isTrue();
        assertThat(bucket.tryAcquire(hourLater)).isFalse();
    }

    @Test
    void aClockSteppedBackOnlyDelaysRefills() {
        TokenBucket bucket = new TokenBucket(2, Duration.ofSeconds(10), T);
        assertThat(bucket.tryAcquire(T)).isTrue();
        // An hour back: the token left is still there, but none comes back until the clock has caught up.
        assertThat(bucket.tryAcquire(T - 3600 * SECOND)).isTrue();
        assertThat(bucket.tryAcquire(T - 3590 * SECOND)).isFalse();
        assertThat(bucket.tryAcquire(T + 10 * SECOND)).isTrue();
    }

    @Test
    void badArgumentsAreRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> new TokenBucket(0, Duration.ofSeconds(1), T));
        assertThatIllegalArgumentException().isThrownBy(() -> new TokenBucket(1, Duration.ZERO, T));
        assertThatIllegalArgumentException().isThrownBy(() -> TokenBucket.perSecond(0, 1, T));
    }
}
