package org.jupyterhub.kubespawner.events;

import io.fabric8.kubernetes.api.model.ObjectReference;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.OptionalInt;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jupyterhub.kubespawner.events.AuditLog.Outcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One of the recorder's writer threads: turns the occurrences routed to it into Event writes. Every occurrence about
 * a given regarding object is routed to the same worker (see {@link EventRecorder}), so each worker owns the series
 * and the rate-limit buckets of its objects outright and needs no locks; its queue keeps their order.
 *
 * <p>Per occurrence: the first of its key within the aggregation window creates an Event (if the regarding object
 * has a token left); each repeat increments the series in memory and patches it when a token is available. Repeats
 * that find no token are not lost: their count rides along with the next write of the series, which maintenance
 * attempts as tokens refill, and which is forced when the series ends or the recorder closes. Occurrences whose
 * namespace is being deleted are dropped, with their series, see {@link NamespaceGate}.
 */
final class RecorderWorker implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(RecorderWorker.class);
    private static final long POLL_MILLIS = 100;
    private static final long MAINTENANCE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    /**
     * What all workers of a recorder share: all of it is thread-safe.
     *
     * @param writer the Event writes
     * @param namespaces namespaces given up on because they are being deleted
     * @param events turns a series into an Event
     * @param audit the JSON lines
     * @param counters the recorder's counters
     */
    record Shared(
            KubernetesEventWriter writer,
            NamespaceGate namespaces,
            EventFactory events,
            AuditLog audit,
            Counters counters) {}

    private final BlockingQueue<Occurrence> queue;
    private final KubernetesEventWriter writer;
    private final NamespaceGate namespaces;
    private final EventFactory events;
    private final AuditLog audit;
    private final Counters counters;
    private final PerObjectRateLimiter rateLimiter;
    private final Clock clock;
    private final Duration window;
    private final String reportingController;
    private final int maxSeries;
    private final Duration writeDelay;

    /** Series by key, least recently observed first, so the cap evicts the quietest. */
    private final LinkedHashMap<EventKey, Series> seriesByKey = new LinkedHashMap<>(64, 0.75f, true);

    private volatile boolean draining;
    private volatile boolean abandoned;

    /**
     * @param queue this worker's own queue
     * @param settings the recorder's settings: window, rate limit, this lane's share of the series, write delay
     * @param shared what the workers share
     */
    RecorderWorker(BlockingQueue<Occurrence> queue, RecorderSettings settings, Shared shared) {
        this.queue = queue;
        this.writer = shared.writer();
        this.namespaces = shared.namespaces();
        this.events = shared.events();
        this.audit = shared.audit();
        this.counters = shared.counters();
        this.clock = settings.clock();
        this.rateLimiter = new PerObjectRateLimiter(settings.rateLimitBurst(), settings.rateLimitRefill(), clock);
        this.window = settings.aggregationWindow();
        this.reportingController = settings.reportingController();
        this.maxSeries = settings.laneMaxSeries();
        this.writeDelay = settings.writeDelay();
    }

    /** Finish what is queued, write pending series counts, then stop. */
    void drain() {
        draining = true;
    }

    /** Stop as soon as the current request returns; what is left is counted as dropped on close. */
    void abandon() {
        abandoned = true;
    }

    @Override
    public void run() {
        long nextMaintenance = System.nanoTime() + MAINTENANCE_INTERVAL_NANOS;
        try {
            while (!abandoned) {
                Occurrence next = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (next != null) {
                    awaitWriteTime(next);
                    if (abandoned) {
                        counters.droppedClosed.increment();
                        break;
                    }
                    guarded(() -> process(next));
                } else if (draining) {
                    break;
                }
                if (System.nanoTime() - nextMaintenance >= 0) {
                    guarded(this::maintain);
                    nextMaintenance = System.nanoTime() + MAINTENANCE_INTERVAL_NANOS;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        finishAll();
    }

    /**
     * Waits until the occurrence is {@code writeDelay} old (by the recorder's clock), or the recorder closes. The
     * queue is in recording order, so holding its head holds nothing back for longer than the delay. Never waits
     * longer than the delay itself, so a wall clock stepped back cannot hold the Events up.
     */
    private void awaitWriteTime(Occurrence occurrence) throws InterruptedException {
        if (writeDelay.isZero()) {
            return;
        }
        Instant due = occurrence.observed().plus(writeDelay);
        long latest = System.nanoTime() + writeDelay.toNanos();
        while (!draining && !abandoned) {
            long leftMillis = Math.min(
                    Duration.between(clock.instant(), due).toMillis(),
                    TimeUnit.NANOSECONDS.toMillis(latest - System.nanoTime()));
            if (leftMillis <= 0) {
                return;
            }
            Thread.sleep(Math.min(leftMillis, POLL_MILLIS));
        }
    }

    /** Whatever goes wrong with one occurrence must not kill the thread that records all the others. */
    private void guarded(Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            LOG.error("Event recorder step failed; the recorder carries on", e);
        }
    }

    private void process(Occurrence occurrence) {
        EventKey key = EventKey.of(occurrence);
        Series series = seriesByKey.get(key);
        if (series != null && series.isOver(occurrence.observed(), window)) {
            seriesByKey.remove(key);
            finish(series);
            series = null;
        }
        String namespace = eventNamespace(occurrence.regarding());
        if (namespaces.isGivenUp(namespace)) {
            if (series != null) {
                seriesByKey.remove(key);
                dropWithNamespace(series);
            }
            dropWithNamespace(occurrence, series != null ? series : newSeries(key, occurrence, namespace));
            return;
        }
        if (series == null) {
            start(key, occurrence, namespace);
        } else {
            repeat(series, occurrence);
        }
    }

    private static String eventNamespace(ObjectReference regarding) {
        return regarding.getNamespace() == null || regarding.getNamespace().isEmpty()
                ? "default" // where client-go puts events about cluster-scoped objects
                : regarding.getNamespace();
    }

    private Series newSeries(EventKey key, Occurrence occurrence, String namespace) {
        String name = EventNames.name(occurrence.regarding(), key, reportingController, occurrence.observed(), window);
        return new Series(key, occurrence, namespace, name);
    }

    private void start(EventKey key, Occurrence occurrence, String namespace) {
        Series series = newSeries(key, occurrence, namespace);
        if (!rateLimiter.tryAcquire(key.regarding())) {
            counters.droppedRateLimited.increment();
            audit.write(occurrence, series, Outcome.DROPPED_RATE_LIMITED);
            return;
        }
        switch (writer.create(events.toEvent(series))) {
            case WRITTEN -> {
                series.markWritten();
                counters.created.increment();
                remember(series);
                audit.write(occurrence, series, Outcome.CREATED);
            }
            case ALREADY_EXISTS -> continueExisting(series, occurrence);
            case NAMESPACE_TERMINATING -> dropWithNamespace(occurrence, series);
            default -> {
                counters.droppedApiError.increment();
                audit.write(occurrence, series, Outcome.DROPPED_API_ERROR);
            }
        }
    }

    /**
     * The deterministic name is taken: this recorder restarted, or another replica recorded the same event in the
     * same window. Count this occurrence into that Event rather than losing it.
     */
    private void continueExisting(Series series, Occurrence occurrence) {
        OptionalInt existingCount = writer.currentCount(series.namespace, series.name);
        if (existingCount.isEmpty() && namespaces.isGivenUp(series.namespace)) {
            dropWithNamespace(occurrence, series);
            return;
        }
        if (existingCount.isEmpty()) {
            counters.droppedApiError.increment();
            audit.write(occurrence, series, Outcome.DROPPED_API_ERROR);
            return;
        }
        series.adopt(existingCount.getAsInt());
        remember(series);
        audit.write(occurrence, series, write(series) == Written.YES ? Outcome.AGGREGATED : Outcome.PENDING);
    }

    private void repeat(Series series, Occurrence occurrence) {
        series.observe(occurrence.observed());
        Written written = rateLimiter.tryAcquire(series.key.regarding()) ? write(series) : Written.NO;
        if (written == Written.NAMESPACE_TERMINATING) {
            seriesByKey.remove(series.key);
            dropWithNamespace(series); // its pending count, this occurrence included
            audit.write(occurrence, series, Outcome.DROPPED_NAMESPACE_TERMINATING);
            return;
        }
        audit.write(occurrence, series, written == Written.YES ? Outcome.AGGREGATED : Outcome.PENDING);
    }

    /** Whether a series write reached the API server. */
    private enum Written {
        YES,
        NO,
        NAMESPACE_TERMINATING
    }

    /** Writes the series' current count. */
    private Written write(Series series) {
        var outcome = writer.patchSeries(series.namespace, series.name, series.apiCount(), series.lastObserved());
        if (outcome == KubernetesEventWriter.Outcome.NOT_FOUND) {
            // Expired by the API server's event TTL, or deleted: write it whole again, count included.
            outcome = writer.create(events.toEvent(series));
        }
        return switch (outcome) {
            case WRITTEN -> {
                counters.aggregated.add(series.markWritten());
                yield Written.YES;
            }
            case NAMESPACE_TERMINATING -> Written.NAMESPACE_TERMINATING;
            default -> Written.NO;
        };
    }

    /** The series leaves memory: its pending count is written now, regardless of the rate limit, or lost. */
    private void finish(Series series) {
        if (series.pending() == 0) {
            return;
        }
        switch (write(series)) {
            case YES -> {}
            case NAMESPACE_TERMINATING -> dropWithNamespace(series);
            case NO -> counters.droppedApiError.add(series.pending());
        }
    }

    /** An occurrence whose namespace is being deleted: counted and logged, never written. */
    private void dropWithNamespace(Occurrence occurrence, Series series) {
        counters.droppedNamespaceTerminating.increment();
        audit.write(occurrence, series, Outcome.DROPPED_NAMESPACE_TERMINATING);
    }

    /** A series (already out of memory) whose namespace is being deleted: its pending count will never be written. */
    private void dropWithNamespace(Series series) {
        counters.droppedNamespaceTerminating.add(series.pending());
        series.markWritten(); // nothing pending any more, so nothing is counted twice
    }

    private void remember(Series series) {
        if (seriesByKey.size() >= maxSeries) {
            Iterator<Series> quietest = seriesByKey.values().iterator();
            Series evicted = quietest.next();
            quietest.remove();
            finish(evicted);
        }
        seriesByKey.put(series.key, series);
    }

    /**
     * Ends quiet series, forgets those of namespaces being deleted, writes pending counts as tokens refill, and
     * forgets idle rate-limit buckets and long-expired namespace give-ups.
     */
    private void maintain() {
        Instant now = clock.instant();
        for (Iterator<Series> it = seriesByKey.values().iterator(); it.hasNext() && !abandoned; ) {
            Series series = it.next();
            if (namespaces.isGivenUp(series.namespace)) {
                it.remove();
                dropWithNamespace(series);
            } else if (series.isOver(now, window)) {
                it.remove();
                finish(series);
            } else if (series.pending() > 0 && rateLimiter.tryAcquire(series.key.regarding())) {
                if (write(series) == Written.NAMESPACE_TERMINATING) {
                    it.remove();
                    dropWithNamespace(series);
                }
            }
        }
        rateLimiter.forgetIdle();
        namespaces.forgetExpired();
    }

    /** On the way out: write every pending count unless abandoned, in which case they are dropped on close. */
    private void finishAll() {
        for (Series series : seriesByKey.values()) {
            if (series.pending() == 0) {
                continue;
            }
            if (abandoned) {
                counters.droppedClosed.add(series.pending());
            } else {
                finish(series);
            }
        }
        seriesByKey.clear();
    }
}
