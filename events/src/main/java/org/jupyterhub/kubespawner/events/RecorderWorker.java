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
 * The single thread that turns queued occurrences into Event writes. Being the only thread that touches the series
 * cache and the rate limiter, it needs no locks.
 *
 * <p>Per occurrence: the first of its key within the aggregation window creates an Event (if the regarding object
 * has a token left); each repeat increments the series in memory and patches it when a token is available. Repeats
 * that find no token are not lost: their count rides along with the next write of the series, which maintenance
 * attempts as tokens refill, and which is forced when the series ends or the recorder closes.
 */
final class RecorderWorker implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(RecorderWorker.class);
  private static final long POLL_MILLIS = 100;
  private static final long MAINTENANCE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final BlockingQueue<Occurrence> queue;
  private final KubernetesEventWriter writer;
  private final EventFactory events;
  private final AuditLog audit;
  private final PerObjectRateLimiter rateLimiter;
  private final Counters counters;
  private final Clock clock;
  private final Duration window;
  private final String reportingController;
  private final int maxSeries;

  /** Series by key, least recently observed first, so the cap evicts the quietest. */
  private final LinkedHashMap<EventKey, Series> seriesByKey = new LinkedHashMap<>(64, 0.75f, true);

  private volatile boolean draining;
  private volatile boolean abandoned;

  RecorderWorker(
      BlockingQueue<Occurrence> queue,
      KubernetesEventWriter writer,
      EventFactory events,
      AuditLog audit,
      PerObjectRateLimiter rateLimiter,
      Counters counters,
      Clock clock,
      Duration window,
      String reportingController,
      int maxSeries) {
    this.queue = queue;
    this.writer = writer;
    this.events = events;
    this.audit = audit;
    this.rateLimiter = rateLimiter;
    this.counters = counters;
    this.clock = clock;
    this.window = window;
    this.reportingController = reportingController;
    this.maxSeries = maxSeries;
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
    if (series == null) {
      start(key, occurrence);
    } else {
      repeat(series, occurrence);
    }
  }

  private void start(EventKey key, Occurrence occurrence) {
    ObjectReference regarding = occurrence.regarding();
    String namespace =
        regarding.getNamespace() == null || regarding.getNamespace().isEmpty()
            ? "default" // where client-go puts events about cluster-scoped objects
            : regarding.getNamespace();
    String name = EventNames.name(regarding, key, reportingController, occurrence.observed(), window);
    Series series = new Series(key, occurrence, namespace, name);
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
    if (existingCount.isEmpty()) {
      counters.droppedApiError.increment();
      audit.write(occurrence, series, Outcome.DROPPED_API_ERROR);
      return;
    }
    series.adopt(existingCount.getAsInt());
    remember(series);
    audit.write(occurrence, series, write(series) ? Outcome.AGGREGATED : Outcome.PENDING);
  }

  private void repeat(Series series, Occurrence occurrence) {
    series.observe(occurrence.observed());
    boolean written = rateLimiter.tryAcquire(series.key.regarding()) && write(series);
    audit.write(occurrence, series, written ? Outcome.AGGREGATED : Outcome.PENDING);
  }

  /** Writes the series' current count; true when the API server has it. */
  private boolean write(Series series) {
    var outcome = writer.patchSeries(series.namespace, series.name, series.apiCount(), series.lastObserved());
    if (outcome == KubernetesEventWriter.Outcome.NOT_FOUND) {
      // Expired by the API server's event TTL, or deleted: write it whole again, count included.
      outcome = writer.create(events.toEvent(series));
    }
    if (outcome == KubernetesEventWriter.Outcome.WRITTEN) {
      counters.aggregated.add(series.markWritten());
      return true;
    }
    return false;
  }

  /** The series leaves memory: its pending count is written now, regardless of the rate limit, or lost. */
  private void finish(Series series) {
    if (series.pending() > 0 && !write(series)) {
      counters.droppedApiError.add(series.pending());
    }
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

  /** Ends quiet series, writes pending counts as tokens refill, and forgets idle rate-limit buckets. */
  private void maintain() {
    Instant now = clock.instant();
    for (Iterator<Series> it = seriesByKey.values().iterator(); it.hasNext() && !abandoned; ) {
      Series series = it.next();
      if (series.isOver(now, window)) {
        it.remove();
        finish(series);
      } else if (series.pending() > 0 && rateLimiter.tryAcquire(series.key.regarding())) {
        write(series);
      }
    }
    rateLimiter.forgetIdle();
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
