package org.jupyterhub.kubespawner.operator.quota;

import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jupyterhub.kubespawner.events.EventRecorder;
import org.jupyterhub.kubespawner.events.EventType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gets the chart's instance quotas counted after a fresh install (see {@link QuotaCount}): from start-up, every
 * period, it reads each quota and, while the quota controller has synced it without counting a resource, changes
 * that limit to one more and back. A quota is done once counted, absent, or not readable (no RBAC for it: then the
 * admin's manual step in docs/helm-chart.md still applies); the nudger stops when all are done or after
 * {@code maxRounds}.
 */
public final class QuotaNudger implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(QuotaNudger.class);

    /** The Event's reason, on the quota. */
    public static final String REASON = "QuotaCountNudged";

    private final KubernetesClient client;
    private final EventRecorder events;
    private final Set<QuotaRef> pending;
    private final Duration period;
    private final int maxRounds;
    private final CountDownLatch finished = new CountDownLatch(1);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "quota-nudger");
        t.setDaemon(true);
        return t;
    });
    private int rounds;

    /**
     * A ResourceQuota by namespace and name.
     *
     * @param namespace its namespace
     * @param name its name
     */
    public record QuotaRef(String namespace, String name) {
        @Override
        public String toString() {
            return namespace + "/" + name;
        }
    }

    /**
     * @param client the operator's client
     * @param events where the Normal Event of each nudge goes
     * @param quotas the quotas to watch over
     * @param period how long between two looks
     * @param maxRounds how many looks at most
     */
    public QuotaNudger(
            KubernetesClient client, EventRecorder events, List<QuotaRef> quotas, Duration period, int maxRounds) {
        this.client = client;
        this.events = events;
        this.pending = new LinkedHashSet<>(quotas);
        this.period = period;
        this.maxRounds = maxRounds;
    }

    /** Looks at once, then every period until done (on a thread of its own). */
    public void start() {
        if (pending.isEmpty()) {
            finished.countDown();
            return;
        }
        timer.scheduleWithFixedDelay(this::round, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Waits until every quota is done.
     *
     * @param timeout how long at most
     * @return true when done
     * @throws InterruptedException when interrupted
     */
    public boolean awaitDone(Duration timeout) throws InterruptedException {
        return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized void round() {
        rounds++;
        for (QuotaRef ref : new ArrayList<>(pending)) {
            try {
                if (look(ref)) {
                    pending.remove(ref);
                }
            } catch (RuntimeException e) {
                LOG.warn("quota {}: could not check whether it is counted, trying again: {}", ref, e.toString());
            }
        }
        if (pending.isEmpty() || rounds >= maxRounds) {
            if (!pending.isEmpty()) {
                LOG.warn(
                        "quotas {} still not counted after {} looks: the quota controller's resync counts them"
                                + " (docs/helm-chart.md, the instance quota)",
                        pending,
                        rounds);
            }
            finished.countDown();
            timer.shutdown();
        }
    }

    /** @return true when this quota needs nothing more */
    private boolean look(QuotaRef ref) {
        ResourceQuota quota;
        try {
            quota = client.resourceQuotas()
                    .inNamespace(ref.namespace())
                    .withName(ref.name())
                    .get();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 403) {
                LOG.info("quota {}: not readable with the operator's RBAC, not checking whether it is counted", ref);
                return true;
            }
            throw e;
        }
        if (quota == null) {
            LOG.info("quota {}: absent, nothing to count", ref);
            return true;
        }
        QuotaCount.Decision decision = QuotaCount.decide(quota);
        if (decision instanceof QuotaCount.Nudge nudge) {
            return nudge(ref, quota, nudge.limits());
        }
        if (decision instanceof QuotaCount.Counted) {
            LOG.info("quota {}: counted", ref);
            return true;
        }
        return false; // Syncing: the controller is about to write its status
    }

    /**
     * Each limit to one more and back, each step a JSON patch that first tests the value it expects, so a change
     * made meanwhile by someone else is never undone, and no resourceVersion (the controller's status writes never
     * conflict).
     *
     * @return true when the quota cannot be patched (no RBAC): done, as far as this nudger goes
     */
    private boolean nudge(QuotaRef ref, ResourceQuota quota, Map<String, String> limits) {
        try {
            for (Map.Entry<String, String> limit : limits.entrySet()) {
                String more = QuotaCount.oneMore(limit.getValue());
                patch(ref, limit.getKey(), limit.getValue(), more);
                restore(ref, limit.getKey(), more, limit.getValue());
            }
        } catch (KubernetesClientException e) {
            if (e.getCode() == 403) {
                LOG.info("quota {}: not patchable with the operator's RBAC, not getting it counted", ref);
                return true;
            }
            throw e;
        }
        String note = "the quota controller had not counted " + String.join(", ", limits.keySet())
                + " (status unknown: every create refused); changed the limit and back so it counts it now";
        LOG.info("quota {}: {}", ref, note);
        events.record(quota, EventType.NORMAL, REASON, "Nudge", note);
        return false;
    }

    /** The way back, tried again after a failure that is not a refusal, so the limit is not left one above. */
    private void restore(QuotaRef ref, String resource, String expected, String value) {
        for (int attempt = 1; ; attempt++) {
            try {
                patch(ref, resource, expected, value);
                return;
            } catch (KubernetesClientException e) {
                if (attempt == 3 || (e.getCode() >= 400 && e.getCode() < 500)) {
                    LOG.warn(
                            "quota {}: could not set {} back to {} (it is {} or was changed meanwhile): {}",
                            ref,
                            resource,
                            value,
                            expected,
                            e.toString());
                    throw e;
                }
            }
        }
    }

    private void patch(QuotaRef ref, String resource, String expected, String value) {
        String path = "/spec/hard/" + resource.replace("~", "~0").replace("/", "~1");
        String body = Serialization.asJson(List.of(
                Map.of("op", "test", "path", path, "value", expected),
                Map.of("op", "replace", "path", path, "value", value)));
        client.resourceQuotas()
                .inNamespace(ref.namespace())
                .withName(ref.name())
                .patch(PatchContext.of(PatchType.JSON), body);
    }

    /** Stops looking. */
    @Override
    public void close() {
        timer.shutdownNow();
        finished.countDown();
    }
}
