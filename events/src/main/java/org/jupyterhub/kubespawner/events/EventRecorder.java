package org.jupyterhub.kubespawner.events;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.NOPLogger;

/**
 * Records a controller's decisions as events.k8s.io/v1 Events, and as JSON lines on an audit logger.
 *
 * <pre>{@code
 * EventRecorder recorder = EventRecorder.builder(client)
 *     .reportingController("example.com/backup-controller")
 *     .build();
 * recorder.record(pod, EventType.NORMAL, "BackupTaken", "Backup", "snapshot snap-42 of claim data");
 * }</pre>
 *
 * <p>What it promises the caller:
 *
 * <ul>
 *   <li><b>Never in the way.</b> {@code record} copies what it needs, puts it on a bounded queue (10,000
 *       occurrences by default, see {@link Builder#queueCapacity(int)}) and returns; it
 *       never blocks and never throws. Invalid input, a full queue, a refusing or absent API server: the occurrence
 *       is dropped, counted in {@link #stats()} and logged (once per spell of trouble, not once per event).
 *   <li><b>Keeps up with bursts, in order per object.</b> Several writer threads ({@code event-recorder-0} ..
 *       {@code event-recorder-N}, {@link Builder#writers(int) 4 by default}) write Events concurrently, each with
 *       its own queue. Every occurrence is routed by a stable hash of its regarding object's namespace and name,
 *       so all events about one object go through the same thread, in the order {@code record} was called, and a
 *       slow or refused write about one object does not hold up the others' (except those sharing its thread).
 *   <li><b>After the action, if asked.</b> With a {@link Builder#writeDelay(Duration) write delay} each Event
 *       waits that long after {@code record} before it is written, so the request that carries out the decision
 *       (an object create, a status write) reaches the API server first.
 *   <li><b>Deleted namespaces cost one request.</b> When the API server refuses an Event create because the
 *       namespace is being deleted (HTTP 403 with cause {@code NamespaceTerminating}, or 404 once it is gone),
 *       further events for that namespace are dropped without a request for the
 *       {@link Builder#terminatingNamespaceGiveUp(Duration) give-up period} (60 s by default), counted in
 *       {@link EventRecorderStats#droppedNamespaceTerminating()} and logged once per namespace.
 *   <li><b>Repeats aggregate.</b> The same regarding object, related object, type, reason, action and note within
 *       the aggregation window update the existing Event's {@code series} (count, lastObservedTime) instead of
 *       creating another object, like client-go's event recorder. Event names are deterministic, so a restarted
 *       process continues the series instead of duplicating it.
 *   <li><b>Storms are capped.</b> Each regarding object has a token bucket for Event writes. New events beyond it
 *       are dropped; repeats beyond it are still counted and their count is written when tokens refill.
 *   <li><b>Least privilege.</b> Only {@code create} and {@code patch} on {@code events.events.k8s.io} are needed,
 *       in the namespaces of the regarding objects ({@code default} for cluster-scoped ones).
 * </ul>
 *
 * <p>Thread-safe; one instance per process is enough. {@link #close()} writes what is queued by all writer threads,
 * waiting at most the one drain timeout in all.
 */
public final class EventRecorder implements AutoCloseable {

    /** The API server's limit on {@code note}, in UTF-8 bytes. */
    public static final int MAX_NOTE_BYTES = 1024;

    /** The API server's limit on {@code reason}, {@code action} and {@code reportingInstance}, in UTF-8 bytes. */
    public static final int MAX_IDENTIFIER_BYTES = 128;

    /** The logger the JSON lines go to unless {@link Builder#auditLogger(String)} says otherwise. */
    public static final String DEFAULT_AUDIT_LOGGER = "org.jupyterhub.kubespawner.events.audit";

    private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);

    private final String reportingController;
    private final String reportingInstance;
    private final Clock clock;
    private final Duration drainTimeout;
    private final List<Lane> lanes;
    private final Counters counters = new Counters();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final TroubleLog overflow = new TroubleLog(LOG, "events were dropped because a queue was full");
    private final TroubleLog invalid = new TroubleLog(LOG, "invalid events were dropped");

    /** One writer thread with its own queue and the worker that owns the series of the objects routed to it. */
    private record Lane(BlockingQueue<Occurrence> queue, RecorderWorker worker, Thread thread) {}

    private EventRecorder(Builder builder) {
        this.reportingController = builder.reportingController;
        this.reportingInstance = builder.reportingInstance;
        this.clock = builder.clock;
        this.drainTimeout = builder.drainTimeout;
        Logger auditLogger = builder.auditLog ? LoggerFactory.getLogger(builder.auditLogger) : null;
        // Shared by the lanes: both are thread-safe, and a namespace's objects are spread over all lanes.
        NamespaceGate namespaces = new NamespaceGate(builder.terminatingNamespaceGiveUp, clock);
        KubernetesEventWriter writer = new KubernetesEventWriter(builder.client, namespaces);
        EventFactory factory = new EventFactory(reportingController, reportingInstance);
        AuditLog audit = new AuditLog(
                auditLogger == null ? NOPLogger.NOP_LOGGER : auditLogger, reportingController, reportingInstance);
        int laneCapacity = divideRoundingUp(builder.queueCapacity, builder.writers);
        int laneMaxSeries = divideRoundingUp(builder.maxSeries, builder.writers);
        List<Lane> created = new ArrayList<>(builder.writers);
        for (int i = 0; i < builder.writers; i++) {
            BlockingQueue<Occurrence> queue = new ArrayBlockingQueue<>(laneCapacity);
            RecorderWorker worker = new RecorderWorker(
                    queue,
                    writer,
                    namespaces,
                    factory,
                    audit,
                    new PerObjectRateLimiter(builder.rateLimitBurst, builder.rateLimitRefill, clock),
                    counters,
                    clock,
                    builder.aggregationWindow,
                    reportingController,
                    laneMaxSeries,
                    builder.writeDelay);
            Thread thread = new Thread(worker, "event-recorder-" + i);
            thread.setDaemon(true); // never keeps a JVM alive; close() is how pending events get written
            created.add(new Lane(queue, worker, thread));
        }
        this.lanes = List.copyOf(created);
        lanes.forEach(lane -> lane.thread().start());
    }

    private static int divideRoundingUp(int total, int parts) {
        return (int) ((total + (long) parts - 1) / parts);
    }

    /**
     * The lane of every occurrence about {@code regarding}: a stable hash of its namespace and name. Everything that
     * keys per-object state in a worker (the series' {@link EventKey}, by uid or by coordinates, and the rate-limit
     * bucket) is finer than namespace/name, so each such key always meets the same worker, and one object's events
     * keep their order even when some references carry a uid and others do not.
     */
    static int laneOf(ObjectReference regarding, int lanes) {
        String namespace = regarding.getNamespace() == null ? "" : regarding.getNamespace();
        int hash = (namespace + '/' + regarding.getName()).hashCode(); // String.hashCode is specified, so stable
        return Math.floorMod(hash ^ (hash >>> 16), lanes);
    }

    /**
     * Starts configuring a recorder.
     *
     * @param client the client to write Events with; the recorder does not close it. Its retry settings apply to
     *     Event writes too: while the API server is down, every write waits through the client's backoff, so the
     *     queues fill and further occurrences are dropped (counted) rather than piling up. Its request rate limit (if
     *     any) and connection pool are shared by the writer threads
     * @return a builder; {@link Builder#reportingController(String)} is required
     */
    public static Builder builder(KubernetesClient client) {
        return new Builder(client);
    }

    /**
     * Records an occurrence about {@code regarding}.
     *
     * @param regarding the object the event is about; its apiVersion, kind, namespace, name, uid and resourceVersion
     *     go into the Event's {@code regarding}, and its namespace is where the Event is written
     * @param type Normal or Warning
     * @param reason why, machine-readable (UpperCamelCase, e.g. {@code ImageDenied}); cut to 128 bytes
     * @param action what was done or attempted, machine-readable (e.g. {@code Admit}); cut to 128 bytes
     * @param note human-readable detail; cut to 1 KiB of UTF-8, ending in "…" when cut; may be {@code null}
     */
    public void record(HasMetadata regarding, EventType type, String reason, String action, String note) {
        submit(regarding, null, type, () -> reason, () -> action, note);
    }

    /**
     * Records an occurrence about {@code regarding} that also involves {@code related}, e.g. the template an
     * instance was rendered from, or the pod a server runs in.
     *
     * @param regarding the object the event is about
     * @param related a second object involved, written to the Event's {@code related}; may be {@code null}
     * @param type Normal or Warning
     * @param reason why, machine-readable; cut to 128 bytes
     * @param action what was done or attempted, machine-readable; cut to 128 bytes
     * @param note human-readable detail; cut to 1 KiB of UTF-8; may be {@code null}
     * @see #record(HasMetadata, EventType, String, String, String)
     */
    public void record(
            HasMetadata regarding, HasMetadata related, EventType type, String reason, String action, String note) {
        submit(regarding, related, type, () -> reason, () -> action, note);
    }

    /**
     * Records an occurrence with a reason and an action from the controller's own vocabulary (usually enums).
     *
     * @param regarding the object the event is about
     * @param type Normal or Warning
     * @param reason why, e.g. a constant of the controller's reason enum
     * @param action what was done or attempted, e.g. a constant of the controller's action enum
     * @param note human-readable detail; cut to 1 KiB of UTF-8; may be {@code null}
     * @see #record(HasMetadata, EventType, String, String, String)
     */
    public void record(HasMetadata regarding, EventType type, EventReason reason, EventAction action, String note) {
        record(regarding, null, type, reason, action, note);
    }

    /**
     * Records an occurrence involving a related object, with a reason and an action from the controller's own
     * vocabulary.
     *
     * @param regarding the object the event is about
     * @param related a second object involved; may be {@code null}
     * @param type Normal or Warning
     * @param reason why, e.g. a constant of the controller's reason enum
     * @param action what was done or attempted, e.g. a constant of the controller's action enum
     * @param note human-readable detail; cut to 1 KiB of UTF-8; may be {@code null}
     * @see #record(HasMetadata, HasMetadata, EventType, String, String, String)
     */
    public void record(
            HasMetadata regarding,
            HasMetadata related,
            EventType type,
            EventReason reason,
            EventAction action,
            String note) {
        submit(
                regarding,
                related,
                type,
                () -> reason == null ? null : reason.reason(),
                () -> action == null ? null : action.action(),
                note);
    }

    /**
     * What happened to the occurrences so far, for metrics.
     *
     * @return a consistent-enough snapshot of the counters (each counter is exact, they are not read atomically)
     */
    public EventRecorderStats stats() {
        return counters.snapshot();
    }

    /**
     * The Events' {@code reportingController}.
     *
     * @return the value given to the builder
     */
    public String reportingController() {
        return reportingController;
    }

    /**
     * The Events' {@code reportingInstance}.
     *
     * @return the value given to the builder, or the host name
     */
    public String reportingInstance() {
        return reportingInstance;
    }

    /**
     * Stops accepting occurrences; all writer threads write what is queued and the pending series counts, in
     * parallel, within one drain timeout in all; whatever is left then is dropped and counted in
     * {@link EventRecorderStats#droppedClosed()}. Idempotent; never throws.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        lanes.forEach(lane -> lane.worker().drain());
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        try {
            for (Lane lane : lanes) {
                long leftMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                lane.thread().join(Math.max(1, leftMillis));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int stuck = 0;
        for (Lane lane : lanes) {
            if (lane.thread().isAlive()) {
                lane.worker().abandon();
                lane.thread().interrupt();
                stuck++;
            }
            List<Occurrence> left = new ArrayList<>();
            lane.queue().drainTo(left);
            counters.droppedClosed.add(left.size());
        }
        if (stuck > 0) {
            LOG.warn(
                    "Event recorder did not drain within {} ({} of {} writer threads still busy); the rest is dropped",
                    drainTimeout,
                    stuck,
                    lanes.size());
        }
    }

    private interface Text {
        String get();
    }

    private void submit(
            HasMetadata regarding, HasMetadata related, EventType type, Text reason, Text action, String note) {
        try {
            counters.submitted.increment();
            if (closed.get()) {
                counters.droppedClosed.increment();
                LOG.debug("Event recorder is closed; dropped an event");
                return;
            }
            Occurrence occurrence;
            try {
                occurrence = new Occurrence(
                        References.of(regarding, "regarding"),
                        related == null ? null : References.of(related, "related"),
                        Objects.requireNonNull(type, "type is null"),
                        identifier(reason.get(), "reason"),
                        identifier(action.get(), "action"),
                        note == null ? "" : Utf8.truncate(note, MAX_NOTE_BYTES, Utf8.ELLIPSIS),
                        clock.instant());
            } catch (RuntimeException e) {
                counters.droppedInvalid.increment();
                invalid.trouble("Dropped an invalid event: {}", e.getMessage());
                return;
            }
            invalid.fine();
            Lane lane = lanes.get(laneOf(occurrence.regarding(), lanes.size()));
            if (lane.queue().offer(occurrence)) {
                overflow.fine();
                if (closed.get() && lane.queue().remove(occurrence)) {
                    // close() raced with this call and its writer may be gone: count it here rather than strand it
                    counters.droppedClosed.increment();
                }
            } else {
                counters.droppedQueueFull.increment();
                overflow.trouble(
                        "Event queue of {} is full ({} queued); dropped {} {} about {}",
                        lane.thread().getName(),
                        lane.queue().size(),
                        occurrence.type().apiValue(),
                        occurrence.reason(),
                        occurrence.regarding().getName());
            }
        } catch (RuntimeException e) {
            // Belt and braces: recording an event must never break the caller's reconcile.
            LOG.error("Unexpected failure while recording an event; dropped", e);
        }
    }

    private static String identifier(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " is missing; the API requires one");
        }
        return Utf8.truncate(value, MAX_IDENTIFIER_BYTES, "");
    }

    /**
     * Configures an {@link EventRecorder}. Only {@link #reportingController(String)} is required; the defaults suit an
     * operator managing thousands of objects.
     */
    public static final class Builder {

        /** Qualified name: optional DNS-subdomain prefix and '/', then a name of at most 63 characters. */
        private static final Pattern QUALIFIED_NAME =
                Pattern.compile("(?:[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*/)?"
                        + "[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?");

        /** More writer threads than this is a typo, not a tuning: the API server and client would be the limit. */
        private static final int MAX_WRITERS = 64;

        private final KubernetesClient client;
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
        private String auditLogger = DEFAULT_AUDIT_LOGGER;
        private Clock clock = Clock.systemUTC();

        private Builder(KubernetesClient client) {
            this.client = Objects.requireNonNull(client, "client");
        }

        /**
         * The Events' {@code reportingController}: who made the decision, as a qualified name.
         *
         * @param reportingController e.g. {@code kubespawner.jupyterhub.org/operator}
         * @return this builder
         */
        public Builder reportingController(String reportingController) {
            this.reportingController = reportingController;
            return this;
        }

        /**
         * The Events' {@code reportingInstance}: which process made the decision.
         *
         * @param reportingInstance at most 128 bytes; defaults to the host name, which in a pod is the pod's name
         * @return this builder
         */
        public Builder reportingInstance(String reportingInstance) {
            this.reportingInstance = reportingInstance;
            return this;
        }

        /**
         * How long a series stays open: a repeat arriving within this time of the previous occurrence is counted into
         * the same Event. Also the granularity of the deterministic names, see the README.
         *
         * @param aggregationWindow positive; default 10 minutes, as client-go's correlator
         * @return this builder
         */
        public Builder aggregationWindow(Duration aggregationWindow) {
            this.aggregationWindow = aggregationWindow;
            return this;
        }

        /**
         * How many occurrences may wait for the writer threads; beyond that they are dropped and counted. The capacity
         * is split evenly over the {@link #writers(int) writer threads}, rounded up (10,000 and 4 writers: 2,500 each),
         * so one thread's share fills first when most events concern objects routed to it.
         *
         * <p>Memory: an occurrence holds two object references, reason, action and note (at most 1 KiB), typically a
         * few hundred bytes and at most about 3 KiB; the default bound is thus a few MiB, about 30 MiB at worst.
         *
         * @param queueCapacity positive; default 10,000 (a burst of 1,000 spawns records about 3,000)
         * @return this builder
         */
        public Builder queueCapacity(int queueCapacity) {
            this.queueCapacity = queueCapacity;
            return this;
        }

        /**
         * The per-object rate limit on Event writes: a bucket of {@code burst} tokens per regarding object, one token
         * back every {@code refillEvery}.
         *
         * @param burst positive; default 25
         * @param refillEvery positive; default 10 seconds
         * @return this builder
         */
        public Builder rateLimit(int burst, Duration refillEvery) {
            this.rateLimitBurst = burst;
            this.rateLimitRefill = refillEvery;
            return this;
        }

        /**
         * How many open series the recorder remembers; beyond that the one quiet longest is ended early (its pending
         * count written), which bounds memory whatever the number of objects. Split evenly over the
         * {@link #writers(int) writer threads}, rounded up, each ending its own quietest series.
         *
         * @param maxSeries positive; default 10000
         * @return this builder
         */
        public Builder maxSeries(int maxSeries) {
            this.maxSeries = maxSeries;
            return this;
        }

        /**
         * How many threads write Events concurrently. Each has its own queue, series and rate-limit buckets; all events
         * about one regarding object (by namespace and name) go through the same thread, so they keep their order.
         * More threads help when the API server's round trip, not the client's rate limit, is what limits.
         *
         * @param writers 1 to 64; default 4
         * @return this builder
         */
        public Builder writers(int writers) {
            this.writers = writers;
            return this;
        }

        /**
         * How long no Event is sent to a namespace after the API server refused one there because the namespace is
         * being deleted (HTTP 403 with cause {@code NamespaceTerminating}, or 404 once it is gone). The events for it
         * meanwhile are dropped and counted in {@link EventRecorderStats#droppedNamespaceTerminating()}; after the
         * period the next one is tried again, and if the namespace was recreated it is written as usual.
         *
         * @param giveUp not negative; zero tries every Event (refusals are still counted separately); default 60 s
         * @return this builder
         */
        public Builder terminatingNamespaceGiveUp(Duration giveUp) {
            this.terminatingNamespaceGiveUp = giveUp;
            return this;
        }

        /**
         * How long {@link EventRecorder#close()} waits for the queues and pending counts to be written, for all writer
         * threads together.
         *
         * @param drainTimeout not negative; default 5 seconds
         * @return this builder
         */
        public Builder drainTimeout(Duration drainTimeout) {
            this.drainTimeout = drainTimeout;
            return this;
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
        public Builder writeDelay(Duration writeDelay) {
            this.writeDelay = writeDelay;
            return this;
        }

        /**
         * Whether each occurrence is also logged as one JSON line (on by default).
         *
         * @param enabled false to write Events only
         * @return this builder
         */
        public Builder auditLog(boolean enabled) {
            this.auditLog = enabled;
            return this;
        }

        /**
         * The slf4j logger name of the JSON lines, so the log configuration can route them to a SIEM.
         *
         * @param loggerName default {@value EventRecorder#DEFAULT_AUDIT_LOGGER}
         * @return this builder
         */
        public Builder auditLogger(String loggerName) {
            this.auditLogger = loggerName;
            return this;
        }

        /**
         * The clock for event times, windows and the rate limit. For tests.
         *
         * @param clock default {@link Clock#systemUTC()}
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * Validates the configuration and starts the recorder's writer threads.
         *
         * @return a running recorder; close it on shutdown
         * @throws IllegalArgumentException naming the setting that is missing or out of range
         */
        public EventRecorder build() {
            if (reportingController == null
                    || !QUALIFIED_NAME.matcher(reportingController).matches()
                    || reportingController
                                    .substring(reportingController.indexOf('/') + 1)
                                    .length()
                            > 63) {
                throw new IllegalArgumentException(
                        "reportingController must be a qualified name like 'example.com/my-controller' (a DNS subdomain, '/',"
                                + " then at most 63 letters, digits, '-', '_' or '.'), got: " + reportingController);
            }
            if (reportingInstance == null) {
                reportingInstance = defaultReportingInstance();
            }
            if (reportingInstance.isBlank()
                    || reportingInstance.getBytes(StandardCharsets.UTF_8).length > MAX_IDENTIFIER_BYTES) {
                throw new IllegalArgumentException(
                        "reportingInstance must be 1 to 128 bytes, got: " + reportingInstance);
            }
            requirePositive(aggregationWindow, "aggregationWindow");
            requirePositive(rateLimitRefill, "rateLimit refillEvery");
            if (drainTimeout == null || drainTimeout.isNegative()) {
                throw new IllegalArgumentException("drainTimeout must not be negative, got: " + drainTimeout);
            }
            if (writeDelay == null || writeDelay.isNegative()) {
                throw new IllegalArgumentException("writeDelay must not be negative, got: " + writeDelay);
            }
            requirePositive(queueCapacity, "queueCapacity");
            if (writers < 1 || writers > MAX_WRITERS) {
                throw new IllegalArgumentException("writers must be 1 to " + MAX_WRITERS + ", got: " + writers);
            }
            if (terminatingNamespaceGiveUp == null || terminatingNamespaceGiveUp.isNegative()) {
                throw new IllegalArgumentException(
                        "terminatingNamespaceGiveUp must not be negative, got: " + terminatingNamespaceGiveUp);
            }
            requirePositive(rateLimitBurst, "rateLimit burst");
            requirePositive(maxSeries, "maxSeries");
            Objects.requireNonNull(clock, "clock");
            if (auditLog && (auditLogger == null || auditLogger.isBlank())) {
                throw new IllegalArgumentException("auditLogger must name a logger");
            }
            return new EventRecorder(this);
        }

        private static void requirePositive(Duration value, String name) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, got: " + value);
            }
        }

        private static void requirePositive(int value, String name) {
            if (value <= 0) {
                throw new IllegalArgumentException(name + " must be positive, got: " + value);
            }
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
            return Utf8.truncate(host, MAX_IDENTIFIER_BYTES, "");
        }
    }
}
