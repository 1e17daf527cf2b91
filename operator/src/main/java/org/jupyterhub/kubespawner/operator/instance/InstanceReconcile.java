package org.jupyterhub.kubespawner.operator.instance;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.jupyterhub.kubespawner.operator.access.AccessVerdict;
import org.jupyterhub.kubespawner.operator.template.TemplateResolution;
import org.jupyterhub.kubespawner.operator.template.TemplateResolver;
import org.jupyterhub.kubespawner.operator.vocabulary.ConditionTypes;
import org.jupyterhub.kubespawner.operator.vocabulary.Reason;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus.Phase;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancestatus.Suspension;

/**
 * The steps of one instance reconcile, in order, independent of JOSDK: resolve the template, decide access for the
 * instance's user ({@link AccessReview}), suspend when asked ({@link SuspendState}, {@link Lifecycle}), spawn (or
 * resume) unless status records a spawn ({@link Spawning}), act on a running server whose access ended, observe the
 * notebook pod ({@link NotebookPodWatch}), hold the first status briefly ({@link FirstStatusHold}), probe the server
 * and apply the template's lifetime limits ({@link LifetimeLimits}, {@link #stop}), compute the status
 * ({@link InstanceStatusAggregator}) and the Events ({@link InstanceEvents}), and keep the spawn slots, quota
 * admissions and metrics in step.
 */
final class InstanceReconcile {

    /** How soon a spawn that waits (for a slot, for an earlier object to go) is tried again, before jitter. */
    static final Duration WAIT_RETRY = Duration.ofSeconds(2);

    /**
     * What a reconcile decided.
     *
     * @param result the status to have and its reasons, or null while the first status is held back
     * @param decisions the Events to record
     * @param recheckAfter when to reconcile again if nothing else happens, or null
     */
    record Outcome(
            InstanceStatusAggregator.Result result, List<InstanceEvents.Decision> decisions, Duration recheckAfter) {

        /**
         * Whether the status must be written.
         *
         * @param previous the status the instance has
         * @return true when there is a status and it differs
         */
        boolean changes(JupyterNotebookInstanceStatus previous) {
            return result != null && !Objects.equals(previous, result.status());
        }
    }

    /** A create failed for a reason that may pass: the outcome (status, Events) to write while JOSDK retries. */
    static final class CreateRetrying extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient Outcome outcome;

        CreateRetrying(Outcome outcome, KubernetesClientException cause) {
            super(cause.getMessage(), cause);
            this.outcome = outcome;
        }

        Outcome outcome() {
            return outcome;
        }
    }

    private final InstanceReconciler.Settings settings;
    private final InstanceCluster cluster;
    private final InstanceStatusAggregator aggregator;
    private final SpawnSlots slots;
    private final QuotaCheck quotas;
    private final AccessReview access;
    private final FirstStatusHold firstStatus = new FirstStatusHold();
    private final Spawning spawning;
    private final Provisioning provisioning;
    private final NotebookPodWatch pods;
    private final ServerAddressLookup addresses;
    private final TemplateResolver resolver;
    private final Lifecycle lifecycle;
    private final Set<String> keptRunning = ConcurrentHashMap.newKeySet();

    InstanceReconcile(InstanceReconciler.Settings settings, InstanceCluster cluster) {
        this.settings = settings;
        this.cluster = cluster;
        this.aggregator = new InstanceStatusAggregator(settings.progressTimeout());
        this.slots = new SpawnSlots(settings.maxConcurrentSpawns());
        this.quotas = new QuotaCheck(cluster);
        this.access = new AccessReview(cluster);
        this.spawning = new Spawning(
                slots, quotas, cluster::secretMetadata, EnvSecretCheck.HubLabel.parse(settings.hubSecretLabel()));
        this.provisioning = new Provisioning(cluster);
        this.pods = new NotebookPodWatch(cluster::pod);
        this.addresses = new ServerAddressLookup(cluster, settings.templates());
        this.resolver = new TemplateResolver(cluster::template);
        this.lifecycle = new Lifecycle(cluster);
    }

    /**
     * Reconciles an instance that exists (possibly being deleted).
     *
     * @param instance the instance
     * @return the outcome
     * @throws CreateRetrying when a create failed for a passing reason
     * @throws KubernetesClientException when observing failed (nothing decided)
     */
    Outcome reconcile(JupyterNotebookInstance instance) {
        Instant now = settings.clock().instant();
        ResourceID id = ResourceID.fromResource(instance);
        String uid = instance.getMetadata().getUid();
        boolean deleting = instance.getMetadata().getDeletionTimestamp() != null;
        JupyterNotebookInstanceStatus previous = instance.getStatus();
        TemplateResolution resolution = resolver.resolve(instance);
        JupyterNotebookInstanceTemplate template =
                resolution instanceof TemplateResolution.Resolved r ? r.template() : null;
        LifecyclePolicy policy = LifecyclePolicy.of(template);
        List<Deprecations.Notice> notices = Deprecations.of(template, instance);
        AccessVerdict verdict = access.verdict(instance, resolution, now);

        Suspension held = deleting ? null : SuspendState.hold(instance, now);
        if (held != null) {
            return suspend(instance, resolution, template, held, policy, notices, verdict, now);
        }
        Suspension resuming = previous == null ? null : previous.getSuspension();
        Spawn recorded = resuming == null ? recordedSpawn(previous) : null;
        Spawn spawn = recorded != null ? recorded : firstStatus.held(id, uid);
        Spawning.Attempt attempt = null;
        if (spawn == null && !deleting && template != null) {
            try {
                attempt = spawning.attempt(
                        instance,
                        template,
                        settings.templates().get(template),
                        provisioning,
                        Lifecycle.kept(resuming, policy, template),
                        Deprecations.refusal(notices),
                        verdict);
            } catch (KubernetesClientException e) {
                if (InstanceReconciler.hasStatusCode(e, 404)) {
                    throw e; // the instance's namespace is going: nothing to tell
                }
                attempt = Spawning.Attempt.waiting(
                        Reason.CreateRetrying, "creating the resources failed, retrying: " + e.getMessage(), List.of());
                InstanceFacts.LifecycleFacts lf = running(resuming, null, notices, null);
                throw new CreateRetrying(decide(instance, resolution, verdict, attempt, null, null, lf, now), e);
            }
            for (Provisioning.Step step : attempt.steps()) {
                if (step.created() != null) {
                    cluster.remember(id, step.created());
                    settings.metrics().created(step.object().kind());
                }
            }
            spawn = attempt.spawn();
        }
        NotebookPodWatch.Seen seen = spawn == null
                ? new NotebookPodWatch.Seen(new PodObservation.Missing(), null)
                : addresses.look(instance, template, spawn, pods.look(instance, spawn.podName()));
        Duration hold = deleting
                ? null
                : firstStatus.hold(id, uid, spawn, recorded != null, seen.observation(), seen.createdAt(), now);
        if (hold != null) {
            // Status unchanged for now; the objects this reconcile created are told at once.
            return new Outcome(null, InstanceEvents.objects(attempt == null ? List.of() : attempt.steps()), hold);
        }
        LifetimeLimits.Lifetime lifetime =
                deleting ? null : lifecycle.lifetime(instance, policy, template, spawn, seen, now);
        InstanceFacts.LifecycleFacts lf = running(resuming, spawn, notices, lifetime);
        Outcome outcome = decide(instance, resolution, verdict, attempt, spawn, seen, lf, now);
        if (spawn != null && !deleting && !access.react(instance, verdict)) {
            return new Outcome(outcome.result(), outcome.decisions(), AccessReview.RETRY_DELETE);
        }
        Stop accessEnded = spawn == null || deleting ? null : AccessReview.suspension(verdict);
        if (accessEnded != null) {
            return stop(instance, resolution, accessEnded, outcome, now);
        }
        return lifetime == null || lifetime.due() == null
                ? outcome
                : stop(instance, resolution, lifetime.due(), outcome, now);
    }

    /**
     * Stops a running server on the operator's own decision (a lifetime limit; other rules may call it too): suspends
     * it (status records the suspension: the operator never writes spec), deletes its instance, or keeps it running,
     * with a Normal Event naming the rule and the figures.
     *
     * @param instance the instance
     * @param resolution its template lookup
     * @param stop why and what to do
     * @param running the outcome of this reconcile had the server kept running (used for KEEP)
     * @param now the time
     * @return the outcome
     */
    Outcome stop(
            JupyterNotebookInstance instance, TemplateResolution resolution, Stop stop, Outcome running, Instant now) {
        settings.metrics().stopped(stop.reason(), stop.action().name().toLowerCase(Locale.ROOT));
        JupyterNotebookInstanceTemplate template =
                resolution instanceof TemplateResolution.Resolved r ? r.template() : null;
        return switch (stop.action()) {
            case SUSPEND ->
                suspend(
                        instance,
                        resolution,
                        template,
                        SuspendState.byOperator(stop, instance, now),
                        LifecyclePolicy.of(template),
                        Deprecations.of(template, instance),
                        access.verdict(instance, resolution, now),
                        now);
            case DELETE -> {
                cluster.stopProbing(ResourceID.fromResource(instance));
                cluster.deleteInstance(instance);
                yield new Outcome(null, List.of(InstanceEvents.stopped(stop, "the instance is deleted")), null);
            }
            case KEEP -> {
                List<InstanceEvents.Decision> decisions = new ArrayList<>(running.decisions());
                if (keptRunning.add(instance.getMetadata().getUid() + "/" + stop.reason())) {
                    decisions.add(InstanceEvents.stopped(stop, "the server is left running"));
                }
                yield new Outcome(running.result(), decisions, running.recheckAfter());
            }
        };
    }

    /** A suspended server: its pods (and services) deleted, phase Suspended. */
    private Outcome suspend(
            JupyterNotebookInstance instance,
            TemplateResolution resolution,
            JupyterNotebookInstanceTemplate template,
            Suspension held,
            LifecyclePolicy policy,
            List<Deprecations.Notice> notices,
            AccessVerdict verdict,
            Instant now) {
        ResourceID id = ResourceID.fromResource(instance);
        JupyterNotebookInstanceStatus previous = instance.getStatus();
        Spawn ran = recordedSpawn(previous);
        Lifecycle.Suspended done = lifecycle.suspend(
                instance,
                held,
                template,
                template == null ? null : settings.templates().get(template),
                policy,
                ran != null ? ran : firstStatus.held(id, instance.getMetadata().getUid()));
        firstStatus.forget(id);
        if (previous == null || previous.getSuspension() == null) {
            settings.metrics().suspended(SuspendState.reason(done.suspension()));
        }
        InstanceFacts.LifecycleFacts lf = new InstanceFacts.LifecycleFacts(
                done.suspension(), true, done.going(), policy.deleteServicesOnSuspend(), null, notices);
        return decide(instance, resolution, verdict, null, null, null, lf, now);
    }

    /** The lifecycle facts of a server that runs or is being started (or resumed). */
    private static InstanceFacts.LifecycleFacts running(
            Suspension resuming, Spawn spawn, List<Deprecations.Notice> notices, LifetimeLimits.Lifetime lifetime) {
        return new InstanceFacts.LifecycleFacts(spawn == null ? resuming : null, false, 0, false, lifetime, notices);
    }

    /** The status and Events from what the steps found; seen is null when the pod was not looked at. */
    private Outcome decide(
            JupyterNotebookInstance instance,
            TemplateResolution resolution,
            AccessVerdict verdict,
            Spawning.Attempt attempt,
            Spawn spawn,
            NotebookPodWatch.Seen seen,
            InstanceFacts.LifecycleFacts lifecycleFacts,
            Instant now) {
        long generation = instance.getMetadata().getGeneration() == null
                ? 0
                : instance.getMetadata().getGeneration();
        InstanceFacts facts = new InstanceFacts(
                generation,
                resolution,
                attempt == null ? null : attempt.rejection(),
                attempt == null ? null : attempt.waiting(),
                spawn,
                seen == null ? new PodObservation.Missing() : seen.observation(),
                seen == null ? null : seen.createdAt(),
                instance.getMetadata().getDeletionTimestamp() != null,
                lifecycleFacts,
                verdict,
                seen == null ? null : seen.address());
        JupyterNotebookInstanceStatus previous = instance.getStatus();
        InstanceStatusAggregator.Result result = aggregator.aggregate(previous, facts, now);
        keepShares(instance, recordedSpawn(previous) != null, result);
        count(instance, previous, result, now);
        Duration recheck = AccessReview.recheck(
                verdict,
                earlier(
                        result.recheckAfter(),
                        lifecycleFacts.lifetime() == null
                                ? null
                                : lifecycleFacts.lifetime().recheckAfter()),
                now);
        if (facts.waiting() != null && facts.waiting().reason().isProgress()) {
            // Waiting for a slot or an earlier object: try again soon, spread so a queue does not wake at once.
            recheck = WAIT_RETRY.plusMillis(ThreadLocalRandom.current().nextLong(1000));
        }
        return new Outcome(
                result,
                InstanceEvents.decisions(attempt == null ? List.of() : attempt.steps(), previous, result),
                recheck);
    }

    private static Duration earlier(Duration a, Duration b) {
        return a == null || (b != null && b.compareTo(a) < 0) ? b : a;
    }

    /**
     * A spawn keeps its slot while it provisions or waits, and gives it back once Ready, failed or going; its quota
     * admission lasts until its status records the spawn (the cache counts it from then on), or it fails or goes.
     */
    private void keepShares(
            JupyterNotebookInstance instance, boolean recorded, InstanceStatusAggregator.Result result) {
        String key = Spawning.key(instance);
        Phase phase = result.status().getPhase();
        Reason ready = result.reason(ConditionTypes.READY);
        if (phase == Phase.PROVISIONING) {
            slots.hold(key);
        } else if (phase != Phase.PENDING || ready == Reason.NotCreated) {
            slots.release(key);
        }
        if (recorded || phase == Phase.FAILED || phase == Phase.TERMINATING) {
            quotas.settled(key);
        }
    }

    private void count(
            JupyterNotebookInstance instance,
            JupyterNotebookInstanceStatus before,
            InstanceStatusAggregator.Result after,
            Instant now) {
        Phase phase = after.status().getPhase();
        if (before != null && before.getPhase() == phase) {
            return;
        }
        if (before == null) {
            settings.metrics().spawnStarted(); // the instance's first status
        }
        if (phase == Phase.READY && instance.getMetadata().getCreationTimestamp() != null) {
            settings.metrics()
                    .ready(Duration.between(Instant.parse(instance.getMetadata().getCreationTimestamp()), now));
        } else if (phase == Phase.FAILED) {
            settings.metrics().failed("instance", after.reason(ConditionTypes.READY));
        }
    }

    /**
     * The instance is gone: forget its hold and slot; the Events for the claims it leaves.
     *
     * @param instance its last known state
     * @return the Events
     */
    List<InstanceEvents.Decision> gone(JupyterNotebookInstance instance) {
        firstStatus.forget(ResourceID.fromResource(instance));
        cluster.stopProbing(ResourceID.fromResource(instance));
        keptRunning.removeIf(k -> k.startsWith(instance.getMetadata().getUid() + "/"));
        slots.release(Spawning.key(instance));
        quotas.forget(instance);
        return InstanceEvents.retainedClaims(
                instance, name -> cluster.cachedClaim(instance.getMetadata().getNamespace(), name));
    }

    /** The spawn an earlier reconcile completed, from status; null while nothing (or not everything) was created. */
    private static Spawn recordedSpawn(JupyterNotebookInstanceStatus status) {
        if (status == null || status.getTemplateGeneration() == null || status.getPodName() == null) {
            return null;
        }
        return new Spawn(
                status.getTemplateGeneration(),
                status.getPodName(),
                status.getPort() == null ? 0 : status.getPort(),
                status.getResources() == null ? List.of() : status.getResources(),
                status.getRequests());
    }
}
