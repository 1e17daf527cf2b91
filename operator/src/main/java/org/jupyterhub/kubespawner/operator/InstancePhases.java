package org.jupyterhub.kubespawner.operator;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus.Phase;

/**
 * {@code jno_instances{phase}}: the instances in the operator's cache, counted by {@code status.phase} when scraped
 * ({@code None} for those without a phase yet). Read from the cache the controller keeps anyway, so it costs no
 * API request and no memory of its own, and it is right after a restart (a count kept from status transitions
 * would start at zero). One pass over the cache serves all phases of a scrape.
 */
public final class InstancePhases {

    /** The label value of instances without a phase. */
    public static final String NONE = "None";

    private static final long REUSE_NANOS = 1_000_000_000L;

    private final Supplier<Stream<JupyterNotebookInstance>> instances;
    private Map<Phase, Long> counts = Map.of();
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
            }
        }
        counts = next;
        none = withoutPhase;
        countedAt = now;
        counted = true;
    }
}
