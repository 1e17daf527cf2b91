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
    private final long refillNanos;
    private final Clock clock;
    private final Map<String, Bucket> buckets = new HashMap<>();

    PerObjectRateLimiter(int burst, Duration refillEvery, Clock clock) {
        this.burst = burst;
        this.refillNanos = Math.max(1, refillEvery.toNanos());
        this.clock = clock;
    }

    boolean tryAcquire(String object) {
        Bucket bucket = buckets.computeIfAbsent(object, o -> new Bucket(burst, nowNanos()));
        bucket.refill(nowNanos());
        if (bucket.tokens == 0) {
            return false;
        }
        bucket.tokens--;
        return true;
    }

    /** Forgets objects whose bucket is full again: they behave exactly like new ones, and memory stays bounded. */
    void forgetIdle() {
        long now = nowNanos();
        buckets.values().removeIf(bucket -> bucket.refill(now) == burst);
    }

    int trackedObjects() {
        return buckets.size();
    }

    private long nowNanos() {
        var instant = clock.instant();
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }

    private final class Bucket {
        int tokens;
        long lastRefill;

        Bucket(int tokens, long now) {
            this.tokens = tokens;
            this.lastRefill = now;
        }

        int refill(long now) {
            long earned = (now - lastRefill) / refillNanos;
            if (earned > 0) {
                tokens = (int) Math.min(burst, tokens + earned);
                lastRefill += earned * refillNanos;
            }
            if (tokens == burst) {
                lastRefill = now; // a full bucket does not save up
            }
            return tokens;
        }
    }
}
