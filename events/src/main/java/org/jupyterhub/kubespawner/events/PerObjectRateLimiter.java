package org.jupyterhub.kubespawner.events;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A token bucket per regarding object, so that one object in trouble cannot flood the API server with events
 * (KubeSpawner's hub was once OOM-killed by 35k events) while other objects still get theirs through.
 * Each Event write (create or series patch) costs one token. Each writer thread has its own, holding the buckets
 * of the objects routed to it, and is the only thread that uses it.
 */
final class PerObjectRateLimiter {

    private final int burst;
    private final Duration refillEvery;
    private final Clock clock;
    private final Map<String, TokenBucket> buckets = new HashMap<>();

    PerObjectRateLimiter(int burst, Duration refillEvery, Clock clock) {
        this.burst = burst;
        this.refillEvery = refillEvery;
        this.clock = clock;
    }

    boolean tryAcquire(String object) {
        long now = nowNanos();
        return buckets.computeIfAbsent(object, o -> new TokenBucket(burst, refillEvery, now))
                .tryAcquire(now);
    }

    /** Forgets objects whose bucket is full again: they behave exactly like new ones, and memory stays bounded. */
    void forgetIdle() {
        long now = nowNanos();
        buckets.values().removeIf(bucket -> bucket.isFull(now));
    }

    int trackedObjects() {
        return buckets.size();
    }

    private long nowNanos() {
        var instant = clock.instant();
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }
}
