package org.jupyterhub.kubespawner.events;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;

/**
 * The setters of {@link EventRecorder.Builder}, kept apart from the recorder so each file has one job (like the JDK's
 * {@code AbstractStringBuilder} behind {@code StringBuilder}). Only {@code reportingController} is required; the
 * defaults suit an operator managing thousands of objects.
 *
 * @param <B> the concrete builder, returned by every setter
 */
abstract class SettingsBuilder<B extends SettingsBuilder<B>> {

    private String reportingController;
    private String reportingInstance;
    private Duration aggregationWindow = Duration.ofMinutes(10);
    private int queueCapacity = 10_000;
    private int writers = 4;
    private Duration terminatingNamespaceGiveUp = Duration.ofSeconds(60);
    private int rateLimitBurst = 25;
    private Duration rateLimitRefill = Duration.ofSeconds(10);
    private int maxSeries = 10_000;
    private Duration drainTimeout = Duration.ofSeconds(5);
    private Duration writeDelay = Duration.ZERO;
    private boolean auditLog = true;
    private String auditLogger = EventRecorder.DEFAULT_AUDIT_LOGGER;
    private Clock clock = Clock.systemUTC();

    /** @return this builder, as its concrete type */
    abstract B self();

    /**
     * The Events' {@code reportingController}: who made the decision, as a qualified name.
     *
     * @param reportingController e.g. {@code kubespawner.jupyterhub.org/operator}
     * @return this builder
     */
    public B reportingController(String reportingController) {
        this.reportingController = reportingController;
        return self();
    }

    /**
     * The Events' {@code reportingInstance}: which process made the decision.
     *
     * @param reportingInstance at most 128 bytes; defaults to the host name, which in a pod is the pod's name
     * @return this builder
     */
    public B reportingInstance(String reportingInstance) {
        this.reportingInstance = reportingInstance;
        return self();
    }

    /**
     * How long a series stays open: a repeat arriving within this time of the previous occurrence is counted into
     * the same Event. Also the granularity of the deterministic names, see the README.
     *
     * @param aggregationWindow positive; default 10 minutes, as client-go's correlator
     * @return this builder
     */
    public B aggregationWindow(Duration aggregationWindow) {
        this.aggregationWindow = aggregationWindow;
        return self();
    }

    /**
     * How many occurrences may wait for the writer threads; beyond that they are dropped and counted. The capacity is
     * split evenly over the {@link #writers(int) writer threads}, rounded up (10,000 and 4 writers: 2,500 each), so
     * one thread's share fills first when most events concern objects routed to it.
     *
     * <p>Memory: an occurrence holds two object references, reason, action and note (at most 1 KiB), typically a few
     * hundred bytes and at most about 3 KiB; the default bound is thus a few MiB, about 30 MiB at worst.
     *
     * @param queueCapacity positive; default 10,000 (a burst of 1,000 spawns records about 3,000)
     * @return this builder
     */
    public B queueCapacity(int queueCapacity) {
        this.queueCapacity = queueCapacity;
        return self();
    }

    /**
     * The per-object rate limit on Event writes: a bucket of {@code burst} tokens per regarding object, one token back
     * every {@code refillEvery}.
     *
     * @param burst positive; default 25
     * @param refillEvery positive; default 10 seconds
     * @return this builder
     */
    public B rateLimit(int burst, Duration refillEvery) {
        this.rateLimitBurst = burst;
        this.rateLimitRefill = refillEvery;
        return self();
    }

    /**
     * How many open series the recorder remembers; beyond that the one quiet longest is ended early (its pending
     * count written), which bounds memory whatever the number of objects. Split evenly over the
     * {@link #writers(int) writer threads}, rounded up, each ending its own quietest series.
     *
     * @param maxSeries positive; default 10000
     * @return this builder
     */
    public B maxSeries(int maxSeries) {
        this.maxSeries = maxSeries;
        return self();
    }

    /**
     * How many threads write Events concurrently. Each has its own queue, series and rate-limit buckets; all events
     * about one regarding object (by namespace and name) go through the same thread, so they keep their order. More
     * threads help when the API server's round trip, not the client's rate limit, is what limits.
     *
     * @param writers 1 to 64; default 4
     * @return this builder
     */
    public B writers(int writers) {
        this.writers = writers;
        return self();
    }

    /**
     * How long no Event is sent to a namespace after the API server refused one there because the namespace is being
     * deleted (HTTP 403 with cause {@code NamespaceTerminating}, or 404 once it is gone). The events for it meanwhile
     * are dropped and counted in {@link EventRecorderStats#droppedNamespaceTerminating()}; after the period the next
     * one is tried again, and if the namespace was recreated it is written as usual.
     *
     * @param giveUp not negative; zero tries every Event (refusals are still counted separately); default 60 s
     * @return this builder
     */
    public B terminatingNamespaceGiveUp(Duration giveUp) {
        this.terminatingNamespaceGiveUp = giveUp;
        return self();
    }

    /**
     * How long {@link EventRecorder#close()} waits for the queues and pending counts to be written, for all writer
     * threads together.
     *
     * @param drainTimeout not negative; default 5 seconds
     * @return this builder
     */
    public B drainTimeout(Duration drainTimeout) {
        this.drainTimeout = drainTimeout;
        return self();
    }

    /**
     * How long each Event waits after it was recorded before it is written. An Event records a decision the
     * controller acts on at that same moment (creating an object, writing status); a short delay keeps the Event
     * write out of the way of those requests on a busy API server, so the action lands first. Order is kept (each
     * writer's queue is in recording order), and {@link EventRecorder#close()} writes what is queued at once.
     *
     * @param writeDelay not negative; default zero (written as soon as a writer is free)
     * @return this builder
     */
    public B writeDelay(Duration writeDelay) {
        this.writeDelay = writeDelay;
        return self();
    }

    /**
     * Whether each occurrence is also logged as one JSON line (on by default).
     *
     * @param enabled false to write Events only
     * @return this builder
     */
    public B auditLog(boolean enabled) {
        this.auditLog = enabled;
        return self();
    }

    /**
     * The slf4j logger name of the JSON lines, so the log configuration can route them to a SIEM.
     *
     * @param loggerName default {@value EventRecorder#DEFAULT_AUDIT_LOGGER}
     * @return this builder
     */
    public B auditLogger(String loggerName) {
        this.auditLogger = loggerName;
        return self();
    }

    /**
     * The clock for event times, windows and the rate limit. For tests.
     *
     * @param clock default {@link Clock#systemUTC()}
     * @return this builder
     */
    public B clock(Clock clock) {
        this.clock = clock;
        return self();
    }

    /**
     * The settings so far, validated.
     *
     * @return the settings
     * @throws IllegalArgumentException naming the setting that is missing or out of range
     */
    RecorderSettings settings() {
        return new RecorderSettings(
                reportingController,
                reportingInstance == null ? defaultReportingInstance() : reportingInstance,
                aggregationWindow,
                queueCapacity,
                writers,
                terminatingNamespaceGiveUp,
                rateLimitBurst,
                rateLimitRefill,
                maxSeries,
                drainTimeout,
                writeDelay,
                auditLog ? (auditLogger == null ? "" : auditLogger) : null,
                clock);
    }

    private static String defaultReportingInstance() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException | SecurityException e) {
                host = "unknown";
            }
        }
        return Utf8.truncate(host, EventRecorder.MAX_IDENTIFIER_BYTES, "");
    }
}
