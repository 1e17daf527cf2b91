package org.jupyterhub.kubespawner.operator;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus.Phase;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus.StopReason;

/**
 * {@code jno_instances{phase}}: the instances in the operator's cache, counted by {@code status.phase} when scraped
 * ({@code None} for those without a phase yet). Read from the cache the controller keeps anyway, so it costs no
 * API request and no memory of its own, and it is right after a restart (a count kept from status transitions
 * would start at zero). One pass over the cache serves all phases of a scrape.
 *
 * <p>The same pass gives {@code jno_lifecycle_seconds_until_stop{reason}}: the least time until the operator stops a
 * server by that rule of a template's policy.lifecycle (status.stopAt and stopReason of running servers; NaN when no
 * server has one).
 */
public final class InstancePhases {

    /** The label value of instances without a phase. */
    public static final String NONE = "None";

    private static final long REUSE_NANOS = 1_000_000_000L;

    private final Supplier<Stream<JupyterNotebookInstance>> instances;
    private Map<Phase, Long> counts = Map.of();
    private Map<StopReason, Double> untilStop = Map.of();
    private long none;
    private long countedAt;
    private boolean counted;

    private InstancePhases(Supplier<Stream<JupyterNotebookInstance>> instances) {
        this.instances = instances;
    }

    /**
     * Registers one gauge per phase.
     *
     * @param registry where
     * @param instances the cached instances (called at most once a second)
     */
    public static void register(MeterRegistry registry, Supplier<Stream<JupyterNotebookInstance>> instances) {
        InstancePhases phases = new InstancePhases(instances);
        for (Phase phase : Phase.values()) {
            gauge(registry, phases, phase.getValue(), p -> p.count(phase));
        }
        gauge(registry, phases, NONE, InstancePhases::countWithoutPhase);
        for (StopReason reason : StopReason.values()) {
            Gauge.builder("jno.lifecycle.seconds.until.stop", phases, p -> p.secondsUntilStop(reason))
                    .description("Least seconds until the operator stops a running server by this lifetime rule")
                    .tag("reason", reason.getValue())
                    .strongReference(true)
                    .register(registry);
        }
    }

    synchronized double secondsUntilStop(StopReason reason) {
        refresh();
        return untilStop.getOrDefault(reason, Double.NaN);
    }

    private static void gauge(
            MeterRegistry registry,
            InstancePhases phases,
            String label,
            java.util.function.ToDoubleFunction<InstancePhases> value) {
        Gauge.builder("jno.instances", phases, value)
                .description("Instances in the operator's cache, by status.phase")
                .tag("phase", label)
                .strongReference(true) // only the gauges hold it: a weak reference would be collected (NaN)
                .register(registry);
    }

    synchronized long count(Phase phase) {
        refresh();
        return counts.getOrDefault(phase, 0L);
    }

    synchronized long countWithoutPhase() {
        refresh();
        return none;
    }

    private void refresh() {
        long now = System.nanoTime();
        if (counted && now - countedAt < REUSE_NANOS) {
            return;
        }
        Map<Phase, Long> next = new EnumMap<>(Phase.class);
        Map<StopReason, Double> nextStops = new EnumMap<>(StopReason.class);
        Instant at = Instant.now();
        long withoutPhase = 0;
        try (Stream<JupyterNotebookInstance> all = instances.get()) {
            for (JupyterNotebookInstance instance : (Iterable<JupyterNotebookInstance>) all::iterator) {
                Phase phase = instance.getStatus() == null
                        ? null
                        : instance.getStatus().getPhase();
                if (phase == null) {
                    withoutPhase++;
                } else {
                    next.merge(phase, 1L, Long::sum);
                }
                if (phase == Phase.READY
                        && instance.getStatus().getStopAt() != null
                        && instance.getStatus().getStopReason() != null) {
                    double seconds = Duration.between(
                                            at, instance.getStatus().getStopAt().toInstant())
                                    .toMillis()
                            / 1000.0;
                    nextStops.merge(instance.getStatus().getStopReason(), seconds, Math::min);
                }
            }
        }
        counts = next;
        untilStop = nextStops;
        none = withoutPhase;
        countedAt = now;
        counted = true;
    }
}
