package org.jupyterhub.kubespawner.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus.Phase;

class InstancePhasesTest {

    private static JupyterNotebookInstance instance(Phase phase) {
        JupyterNotebookInstance instance = new JupyterNotebookInstance();
        if (phase != null) {
            JupyterNotebookInstanceStatus status = new JupyterNotebookInstanceStatus();
            status.setPhase(phase);
            instance.setStatus(status);
        }
        return instance;
    }

    private static double gauge(SimpleMeterRegistry registry, String phase) {
        return registry.get("jno.instances").tag("phase", phase).gauge().value();
    }

    @Test
    void countsTheCachedInstancesByPhaseOncePerScrape() {
        List<JupyterNotebookInstance> cache = new ArrayList<>(
                List.of(instance(Phase.READY), instance(Phase.READY), instance(Phase.FAILED), instance(null)));
        AtomicInteger passes = new AtomicInteger();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        InstancePhases.register(registry, () -> {
            passes.incrementAndGet();
            return cache.stream();
        });

        assertThat(gauge(registry, "Ready")).isEqualTo(2);
        assertThat(gauge(registry, "Failed")).isEqualTo(1);
        assertThat(gauge(registry, "Provisioning")).isZero();
        assertThat(gauge(registry, InstancePhases.NONE)).isEqualTo(1);
        assertThat(passes).as("one pass over the cache serves every phase").hasValue(1);
    }

    @Test
    void theCountSurvivesGarbageCollection() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        InstancePhases.register(registry, () -> java.util.stream.Stream.of(instance(Phase.READY)));
        for (int i = 0; i < 3; i++) {
            System.gc(); // the gauges alone hold the counter: a weak reference would now read NaN
        }
        assertThat(gauge(registry, "Ready")).isEqualTo(1);
    }

    @Test
    void everyPhaseHasItsSeriesEvenAtZero() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        InstancePhases.register(registry, java.util.stream.Stream::empty);
        for (Phase phase : Phase.values()) {
            assertThat(gauge(registry, phase.getValue())).isZero();
        }
    }
}
