package org.jupyterhub.kubespawner.events;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * An {@link EventRecorder}'s settings, validated: what {@link EventRecorder.Builder} collected. The meaning and
 * default of each is documented on the builder's method of the same name.
 *
 * @param reportingController the Events' reportingController, a qualified name
 * @param reportingInstance the Events' reportingInstance, 1 to 128 bytes
 * @param aggregationWindow how long a series stays open
 * @param queueCapacity occurrences waiting for the writers, in all
 * @param writers writer threads (lanes)
 * @param terminatingNamespaceGiveUp how long a namespace being deleted gets no request
 * @param rateLimitBurst per regarding object: Event writes at once
 * @param rateLimitRefill per regarding object: one write back this often
 * @param maxSeries open series remembered, in all
 * @param drainTimeout how long close() waits, for all writers together
 * @param writeDelay how long each Event waits after it was recorded
 * @param auditLogger the slf4j logger of the JSON lines, or null for none
 * @param clock the clock of event times, windows and rate limits
 */
record RecorderSettings(
        String reportingController,
        String reportingInstance,
        Duration aggregationWindow,
        int queueCapacity,
        int writers,
        Duration terminatingNamespaceGiveUp,
        int rateLimitBurst,
        Duration rateLimitRefill,
        int maxSeries,
        Duration drainTimeout,
        Duration writeDelay,
        String auditLogger,
        Clock clock) {

    /** More writer threads than this is a typo, not a tuning: the API server and client would be the limit. */
    static final int MAX_WRITERS = 64;

    /**
     * Validates every setting.
     *
     * @throws IllegalArgumentException naming the setting that is missing or out of range
     */
    RecorderSettings {
        if (reportingController == null || !Names.isQualifiedName(reportingController)) {
            throw new IllegalArgumentException(
                    "reportingController must be a qualified name like 'example.com/my-controller' (a DNS subdomain, '/',"
                            + " then at most 63 letters, digits, '-', '_' or '.'), got: " + reportingController);
        }
        if (reportingInstance == null
                || reportingInstance.isBlank()
                || reportingInstance.getBytes(StandardCharsets.UTF_8).length > EventRecorder.MAX_IDENTIFIER_BYTES) {
            throw new IllegalArgumentException("reportingInstance must be 1 to 128 bytes, got: " + reportingInstance);
        }
        requirePositive(aggregationWindow, "aggregationWindow");
        requirePositive(rateLimitRefill, "rateLimit refillEvery");
        requireNotNegative(drainTimeout, "drainTimeout");
        requireNotNegative(writeDelay, "writeDelay");
        requirePositive(queueCapacity, "queueCapacity");
        if (writers < 1 || writers > MAX_WRITERS) {
            throw new IllegalArgumentException("writers must be 1 to " + MAX_WRITERS + ", got: " + writers);
        }
        requireNotNegative(terminatingNamespaceGiveUp, "terminatingNamespaceGiveUp");
        requirePositive(rateLimitBurst, "rateLimit burst");
        requirePositive(maxSeries, "maxSeries");
        Objects.requireNonNull(clock, "clock");
        if (auditLogger != null && auditLogger.isBlank()) {
            throw new IllegalArgumentException("auditLogger must name a logger");
        }
    }

    /** @return each writer's share of {@link #queueCapacity}, rounded up */
    int laneCapacity() {
        return divideRoundingUp(queueCapacity, writers);
    }

    /** @return each writer's share of {@link #maxSeries}, rounded up */
    int laneMaxSeries() {
        return divideRoundingUp(maxSeries, writers);
    }

    private static int divideRoundingUp(int total, int parts) {
        return (int) ((total + (long) parts - 1) / parts);
    }

    private static void requirePositive(Duration value, String name) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got: " + value);
        }
    }

    private static void requireNotNegative(Duration value, String name) {
        if (value == null || value.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, got: " + value);
        }
    }

    private static void requirePositive(int value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got: " + value);
        }
    }
}
