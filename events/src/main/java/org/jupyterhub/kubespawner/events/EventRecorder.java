package org.jupyterhub.kubespawner.events;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
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

    private final RecorderSettings settings;
    private final WriterLanes lanes;
    private final Counters counters = new Counters();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final TroubleLog overflow = new TroubleLog(LOG, "events were dropped because a queue was full");
    private final TroubleLog invalid = new TroubleLog(LOG, "invalid events were dropped");

    private EventRecorder(KubernetesClient client, RecorderSettings settings) {
        this.settings = settings;
        Logger auditLogger =
                settings.auditLogger() == null ? NOPLogger.NOP_LOGGER : LoggerFactory.getLogger(settings.auditLogger());
        // Shared by the lanes: all are thread-safe, and a namespace's objects are spread over all lanes.
        NamespaceGate namespaces = new NamespaceGate(settings.terminatingNamespaceGiveUp(), settings.clock());
        this.lanes = new WriterLanes(
                settings,
                new RecorderWorker.Shared(
                        new KubernetesEventWriter(client, namespaces),
                        namespaces,
                        new EventFactory(settings.reportingController(), settings.reportingInstance()),
                        new AuditLog(auditLogger, settings.reportingController(), settings.reportingInstance()),
                        counters));
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
        return settings.reportingController();
    }

    /**
     * The Events' {@code reportingInstance}.
     *
     * @return the value given to the builder, or the host name
     */
    public String reportingInstance() {
        return settings.reportingInstance();
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
        int stuck = lanes.drain(settings.drainTimeout());
        if (stuck > 0) {
            LOG.warn(
                    "Event recorder did not drain within {} ({} of {} writer threads still busy); the rest is dropped",
                    settings.drainTimeout(),
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
                        settings.clock().instant());
            } catch (RuntimeException e) {
                counters.droppedInvalid.increment();
                invalid.trouble("Dropped an invalid event: {}", e.getMessage());
                return;
            }
            invalid.fine();
            WriterLanes.Lane lane = lanes.laneFor(occurrence);
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
    public static final class Builder extends SettingsBuilder<Builder> {

        private final KubernetesClient client;

        private Builder(KubernetesClient client) {
            this.client = Objects.requireNonNull(client, "client");
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * Validates the configuration and starts the recorder's writer threads.
         *
         * @return a running recorder; close it on shutdown
         * @throws IllegalArgumentException naming the setting that is missing or out of range
         */
        public EventRecorder build() {
            return new EventRecorder(client, settings());
        }
    }
}
