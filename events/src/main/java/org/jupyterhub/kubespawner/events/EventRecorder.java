package org.jupyterhub.kubespawner.events;

import io.fabric8.kubernetes.api.model.HasMetadata;
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
 *   <li><b>Never in the way.</b> {@code record} copies what it needs, puts it on a bounded queue and returns; it
 *       never blocks and never throws. Invalid input, a full queue, a refusing or absent API server: the occurrence
 *       is dropped, counted in {@link #stats()} and logged (once per spell of trouble, not once per event).
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
 * <p>Thread-safe; one instance per process is enough. {@link #close()} writes what is queued, waiting at most the
 * drain timeout.
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
  private final BlockingQueue<Occurrence> queue;
  private final Counters counters = new Counters();
  private final RecorderWorker worker;
  private final Thread thread;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final TroubleLog overflow = new TroubleLog(LOG, "events were dropped because the queue was full");
  private final TroubleLog invalid = new TroubleLog(LOG, "invalid events were dropped");

  private EventRecorder(Builder builder) {
    this.reportingController = builder.reportingController;
    this.reportingInstance = builder.reportingInstance;
    this.clock = builder.clock;
    this.drainTimeout = builder.drainTimeout;
    this.queue = new ArrayBlockingQueue<>(builder.queueCapacity);
    Logger auditLogger = builder.auditLog ? LoggerFactory.getLogger(builder.auditLogger) : null;
    this.worker =
        new RecorderWorker(
            queue,
            new KubernetesEventWriter(builder.client),
            new EventFactory(reportingController, reportingInstance),
            new AuditLog(
                auditLogger == null ? NOPLogger.NOP_LOGGER : auditLogger, reportingController, reportingInstance),
            new PerObjectRateLimiter(builder.rateLimitBurst, builder.rateLimitRefill, clock),
            counters,
            clock,
            builder.aggregationWindow,
            reportingController,
            builder.maxSeries);
    this.thread = new Thread(worker, "event-recorder");
    thread.setDaemon(true); // never keeps a JVM alive; close() is how pending events get written
    thread.start();
  }

  /**
   * Starts configuring a recorder.
   *
   * @param client the client to write Events with; the recorder does not close it. Its retry settings apply to
   *     Event writes too: while the API server is down, every write waits through the client's backoff, so the
   *     queue fills and further occurrences are dropped (counted) rather than piling up
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
   * Stops accepting occurrences, writes what is queued and the pending series counts, waiting at most the drain
   * timeout; whatever is left then is dropped and counted in {@link EventRecorderStats#droppedClosed()}.
   * Idempotent; never throws.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    worker.drain();
    try {
      thread.join(Math.max(1, drainTimeout.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      worker.abandon();
      thread.interrupt();
      LOG.warn("Event recorder did not drain within {}; the rest is dropped", drainTimeout);
    }
    List<Occurrence> left = new ArrayList<>();
    queue.drainTo(left);
    counters.droppedClosed.add(left.size());
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
        occurrence =
            new Occurrence(
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
      if (queue.offer(occurrence)) {
        overflow.fine();
      } else {
        counters.droppedQueueFull.increment();
        overflow.trouble(
            "Event queue is full ({} queued); dropped {} {} about {}",
            queue.size(),
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
        Pattern.compile(
            "(?:[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*/)?"
                + "[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?");

    private final KubernetesClient client;
    private String reportingController;
    private String reportingInstance;
    private Duration aggregationWindow = Duration.ofMinutes(10);
    private int queueCapacity = 1000;
    private int rateLimitBurst = 25;
    private Duration rateLimitRefill = Duration.ofSeconds(10);
    private int maxSeries = 10_000;
    private Duration drainTimeout = Duration.ofSeconds(5);
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
     * How many occurrences may wait for the worker; beyond that they are dropped and counted.
     *
     * @param queueCapacity positive; default 1000
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
     * count written), which bounds memory whatever the number of objects.
     *
     * @param maxSeries positive; default 10000
     * @return this builder
     */
    public Builder maxSeries(int maxSeries) {
      this.maxSeries = maxSeries;
      return this;
    }

    /**
     * How long {@link EventRecorder#close()} waits for the queue and pending counts to be written.
     *
     * @param drainTimeout not negative; default 5 seconds
     * @return this builder
     */
    public Builder drainTimeout(Duration drainTimeout) {
      this.drainTimeout = drainTimeout;
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
     * Validates the configuration and starts the recorder's worker thread.
     *
     * @return a running recorder; close it on shutdown
     * @throws IllegalArgumentException naming the setting that is missing or out of range
     */
    public EventRecorder build() {
      if (reportingController == null || !QUALIFIED_NAME.matcher(reportingController).matches()
          || reportingController.substring(reportingController.indexOf('/') + 1).length() > 63) {
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
      requirePositive(queueCapacity, "queueCapacity");
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
