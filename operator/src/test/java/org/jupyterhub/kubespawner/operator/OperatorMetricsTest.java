package org.jupyterhub.kubespawner.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.jupyterhub.kubespawner.events.EventRecorderStats;

class OperatorMetricsTest {

    @Test
    void spawnsAreCounted() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        OperatorMetrics metrics = new OperatorMetrics(registry);
        metrics.spawnStarted();
        metrics.spawnStarted();
        assertThat(registry.get("jno.spawns").counter().count()).isEqualTo(2);
    }

    @Test
    void failureCountersExistBeforeTheFirstFailure() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        OperatorMetrics metrics = new OperatorMetrics(registry);
        var rejected = registry.get("jno.failures")
                .tags("kind", "instance", "reason", "VariablesRejected")
                .counter();
        assertThat(rejected.count()).isZero();
        metrics.failed("instance", org.jupyterhub.kubespawner.operator.vocabulary.Reason.VariablesRejected);
        assertThat(rejected.count()).isEqualTo(1);
        assertThat(registry.get("jno.failures")
                        .tags("kind", "template")
                        .counter()
                        .count())
                .isZero();
    }

    @Test
    void pendingEventsAreThoseNeitherWrittenNorDropped() {
        // 10 handed over: 4 written, 2 aggregated into series, 1 dropped (queue full) and 2 (rate limit)
        assertThat(OperatorMetrics.pending(new EventRecorderStats(10, 4, 2, 1, 2, 0, 0, 0, 0)))
                .isEqualTo(1);
        assertThat(OperatorMetrics.pending(new EventRecorderStats(3, 3, 0, 0, 0, 0, 0, 0, 0)))
                .isZero();
    }
}
