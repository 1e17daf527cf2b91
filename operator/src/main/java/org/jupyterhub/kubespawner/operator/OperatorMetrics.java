package org.jupyterhub.kubespawner.operator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.ToLongFunction;
import org.jupyterhub.kubespawner.events.EventRecorder;
import org.jupyterhub.kubespawner.events.EventRecorderStats;
import org.jupyterhub.kubespawner.operator.vocabulary.Reason;

/**
 * The operator's own metrics, next to JOSDK's (reconciliations, failures, queue size): how many spawns start, how
 * long they take, why instances fail, and what the Event recorder does. Instances by phase ({@link InstancePhases})
 * and API requests ({@code runtime/ApiRequestMetrics}) register themselves in the same registry. The names, as
 * Prometheus sees them, are listed in docs/operator.md; the chart's Grafana dashboard reads them.
 */
public final class OperatorMetrics {

    /** The reasons an instance can fail with (docs/operator.md, the Ready condition's failed reasons). */
    static final Set<Reason> INSTANCE_FAILURES = EnumSet.of(
            Reason.TemplateNotFound,
            Reason.TemplateForbidden,
            Reason.TemplateInvalid,
            Reason.VariablesRejected,
            Reason.RenderFailed,
            Reason.ImageDenied,
            Reason.ArgsNotAllowed,
            Reason.InvalidInstanceName,
            Reason.CreateFailed,
            Reason.FailedScheduling,
            Reason.ErrImagePull,
            Reason.ImagePullBackOff,
            Reason.InvalidImageName,
            Reason.CrashLoopBackOff,
            Reason.CreateContainerConfigError,
            Reason.ProgressDeadlineExceeded,
            Reason.PodFailed,
            Reason.PodCompleted,
            Reason.PodDeleted);

    private final MeterRegistry registry;
    private final Timer timeToReady;
    private final Counter spawns;

    /**
     * @param registry where to register the meters
     */
    public OperatorMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.timeToReady = Timer.builder("jno.instance.ready")
                .description("Time from an instance's creation to its notebook server being Ready")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(500))
                .maximumExpectedValue(Duration.ofMinutes(15))
                .register(registry);
        // Every known failure starts at 0: Prometheus' rate() and increase() only see a counter's first failure
        // when the series existed before it.
        for (Reason reason : INSTANCE_FAILURES) {
            failureCounter("instance", reason);
        }
        failureCounter("template", Reason.TemplateInvalid);
        this.spawns = Counter.builder("jno.spawns")
                .description("Instances the operator took up: its first status verdict on each (Provisioning, Ready or"
                        + " Failed)")
                .register(registry);
    }

    /** The operator gave a new instance its first phase: a spawn began (whatever its outcome). */
    public void spawnStarted() {
        spawns.increment();
    }

    /**
     * Exports what an Event recorder did: {@code jno_events{outcome}} (created, aggregated, dropped, submitted),
     * {@code jno_events_pending} (handed over and neither written nor dropped yet: queued, or counted in a series
     * still to be written) and {@code jno_events_dropped_total{reason}}.
     *
     * @param events the recorder
     */
    public void eventRecorder(EventRecorder events) {
        eventGauge(events, "submitted", EventRecorderStats::submitted);
        eventGauge(events, "created", EventRecorderStats::created);
        eventGauge(events, "aggregated", EventRecorderStats::aggregated);
        eventGauge(events, "dropped", EventRecorderStats::dropped);
        Gauge.builder("jno.events.pending", events, e -> pending(e.stats()))
                .description("Events handed to the recorder and not yet written or dropped (queued, or in a series)")
                .register(registry);
        dropped(events, "queue_full", EventRecorderStats::droppedQueueFull);
        dropped(events, "rate_limited", EventRecorderStats::droppedRateLimited);
        dropped(events, "api_error", EventRecorderStats::droppedApiError);
        dropped(events, "invalid", EventRecorderStats::droppedInvalid);
        dropped(events, "closed", EventRecorderStats::droppedClosed);
        dropped(events, "namespace_terminating", EventRecorderStats::droppedNamespaceTerminating);
    }

    static long pending(EventRecorderStats s) {
        return Math.max(0, s.submitted() - s.recorded() - s.dropped());
    }

    private void eventGauge(EventRecorder events, String outcome, ToLongFunction<EventRecorderStats> value) {
        Gauge.builder("jno.events", events, e -> value.applyAsLong(e.stats()))
                .description("Events handed to the recorder, by outcome")
                .tag("outcome", outcome)
                .register(registry);
    }

    private void dropped(EventRecorder events, String reason, ToLongFunction<EventRecorderStats> value) {
        FunctionCounter.builder("jno.events.dropped", events, e -> value.applyAsLong(e.stats()))
                .description("Events dropped by the recorder, by reason")
                .tag("reason", reason)
                .register(registry);
    }

    /**
     * An instance became Ready.
     *
     * @param sinceCreation time since the instance was created
     */
    public void ready(Duration sinceCreation) {
        timeToReady.record(sinceCreation.isNegative() ? Duration.ZERO : sinceCreation);
    }

    /**
     * An instance or template reached a failure.
     *
     * @param kind {@code instance} or {@code template}
     * @param reason why
     */
    public void failed(String kind, Reason reason) {
        failureCounter(kind, reason).increment();
    }

    private Counter failureCounter(String kind, Reason reason) {
        return Counter.builder("jno.failures")
                .description("Instances and templates that turned Failed or invalid, by reason")
                .tag("kind", kind)
                .tag("reason", reason.name())
                .register(registry);
    }

    /**
     * An object was created for an instance.
     *
     * @param kind the object's kind
     */
    public void created(String kind) {
        Counter.builder("jno.instance.objects")
                .description("Objects created for instances, by kind")
                .tag("kind", kind)
                .register(registry)
                .increment();
    }

    /** @return the registry */
    public MeterRegistry registry() {
        return registry;
    }
}
