package org.jupyterhub.kubespawner.operator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import org.jupyterhub.kubespawner.operator.vocabulary.Reason;

/**
 * The operator's own metrics, next to JOSDK's (reconciliations, failures, queue size): how long spawns take and why
 * instances fail.
 */
public final class OperatorMetrics {

    private final MeterRegistry registry;
    private final Timer timeToReady;

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
        Counter.builder("jno.failures")
                .description("Instances and templates that turned Failed or invalid, by reason")
                .tag("kind", kind)
                .tag("reason", reason.name())
                .register(registry)
                .increment();
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
