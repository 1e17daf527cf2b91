package org.jupyterhub.kubespawner.events;

import java.time.Duration;

/**
 * A token bucket: {@code burst} tokens, one back every {@code interval}; a full bucket does not save up. Kept as the
 * time at which the bucket will be full again, in whole nanoseconds of the caller's clock (the generic cell rate
 * algorithm), so refills are exact however often it is asked. Thread-safe.
 *
 * <p>The recorder keeps one per regarding object ({@link EventRecorder.Builder#rateLimit}); the operator uses it for
 * its client's request rates. Time given to a bucket never runs backwards for it: an earlier time than one seen
 * before counts as that one, so a clock stepped back only delays refills.
 */
public final class TokenBucket {

    private final long intervalNanos;
    /** How far ahead of now the full time may lie with a token still left to take. */
    private final long depthNanos;

    private long fullAt;
    private long latest;

    /**
     * A full bucket.
     *
     * @param burst how many tokens it holds, at least 1
     * @param interval how long one token takes to come back, positive
     * @param nowNanos the current time on the clock all later calls use
     */
    public TokenBucket(int burst, Duration interval, long nowNanos) {
        if (burst < 1 || interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException(
                    "burst must be at least 1 and interval positive, got " + burst + ", " + interval);
        }
        this.intervalNanos = interval.toNanos();
        this.depthNanos = Math.multiplyExact(burst, intervalNanos);
        this.fullAt = nowNanos;
        this.latest = nowNanos;
    }

    /**
     * A full bucket refilled at a rate per second, like client-go's QPS and burst.
     *
     * @param perSecond tokens per second, at least 1
     * @param burst how many tokens it holds, at least 1
     * @param nowNanos the current time (e.g. {@link System#nanoTime()})
     * @return the bucket
     */
    public static TokenBucket perSecond(int perSecond, int burst, long nowNanos) {
        if (perSecond < 1) {
            throw new IllegalArgumentException("perSecond must be at least 1, got " + perSecond);
        }
        return new TokenBucket(burst, Duration.ofNanos(Math.max(1, 1_000_000_000L / perSecond)), nowNanos);
    }

    /**
     * Takes a token if one is there.
     *
     * @param nowNanos the current time
     * @return true if a token was taken
     */
    public synchronized boolean tryAcquire(long nowNanos) {
        long start = Math.max(fullAt, advance(nowNanos));
        if (start + intervalNanos - latest > depthNanos) {
            return false;
        }
        fullAt = start + intervalNanos;
        return true;
    }

    /**
     * Takes a token, going into debt if there is none: the caller waits for it.
     *
     * @param nowNanos the current time
     * @return how long the caller must wait before using its token, in nanoseconds; 0 when one was there
     */
    public synchronized long reserve(long nowNanos) {
        fullAt = Math.max(fullAt, advance(nowNanos)) + intervalNanos;
        return Math.max(0, fullAt - latest - depthNanos);
    }

    /**
     * Whether the bucket is full, i.e. behaves exactly like a new one (so a caller may forget it).
     *
     * @param nowNanos the current time
     * @return true when every token is back
     */
    public synchronized boolean isFull(long nowNanos) {
        return fullAt <= advance(nowNanos);
    }

    private long advance(long nowNanos) {
        latest = Math.max(latest, nowNanos);
        return latest;
    }
}
