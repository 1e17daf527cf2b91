package org.jupyterhub.kubespawner.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PerObjectRateLimiterTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));
    private final PerObjectRateLimiter limiter = new PerObjectRateLimiter(3, Duration.ofSeconds(10), clock);

    @Test
    void allowsTheBurstThenRefillsOneTokenPerInterval() {
        assertThat(IntStream.range(0, 5).mapToObj(i -> limiter.tryAcquire("a")))
                .containsExactly(true, true, true, false, false);
        clock.advance(Duration.ofSeconds(9));
        assertThat(limiter.tryAcquire("a")).isFalse();
        clock.advance(Duration.ofSeconds(1));
        assertThat(limiter.tryAcquire("a")).isTrue();
        assertThat(limiter.tryAcquire("a")).isFalse();
    }

    @Test
    void objectsHaveTheirOwnBuckets() {
        IntStream.range(0, 3).forEach(i -> limiter.tryAcquire("a"));
        assertThat(limiter.tryAcquire("a")).isFalse();
        assertThat(limiter.tryAcquire("b")).isTrue();
    }

    @Test
    void doesNotSaveUpBeyondTheBurst() {
        clock.advance(Duration.ofHours(1));
        assertThat(IntStream.range(0, 4).mapToObj(i -> limiter.tryAcquire("a")))
                .containsExactly(true, true, true, false);
    }

    @Test
    void forgetsObjectsWhoseBucketIsFullAgain() {
        limiter.tryAcquire("a");
        IntStream.range(0, 3).forEach(i -> limiter.tryAcquire("b"));
        clock.advance(Duration.ofSeconds(10));
        limiter.forgetIdle();
        assertThat(limiter.trackedObjects()).isEqualTo(1); // a is full again, b still owes two tokens
        clock.advance(Duration.ofSeconds(20));
        limiter.forgetIdle();
        assertThat(limiter.trackedObjects()).isZero();
    }
}
