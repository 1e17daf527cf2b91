package org.jupyterhub.kubespawner.operator.instance;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import org.jupyterhub.kubespawner.operator.template.TemplateResolution;
import org.jupyterhub.kubespawner.operator.template.TemplateResolver;
import org.jupyterhub.kubespawner.operator.vocabulary.ConditionTypes;
import org.jupyterhub.kubespawner.operator.vocabulary.Reason;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus.Phase;

/**
 * The steps of one instance reconcile, in order, independent of JOSDK: resolve the template, spawn unless status
 * records a spawn ({@link Spawning}), observe the notebook pod ({@link NotebookPodWatch}), hold the first status
 * briefly ({@link FirstStatusHold}), compute the status ({@link InstanceStatusAggregator}) and the Events
 * ({@link InstanceEvents}), and keep the spawn slots and metrics in step.
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
    private final FirstStatusHold firstStatus = new FirstStatusHold();
    private final Spawning spawning;
    private final Provisioning provisioning;
    private final NotebookPodWatch pods;
    private final TemplateResolver resolver;

    InstanceReconcile(InstanceReconciler.Settings settings, InstanceCluster cluster) {
        this.settings = settings;
        this.cluster = cluster;
        this.aggregator = new InstanceStatusAggregator(settings.progressTimeout());
        this.slots = new SpawnSlots(settings.maxConcurrentSpawns());
        this.spawning =
                new Spawning(slots, cluster::secretMetadata, EnvSecretCheck.HubLabel.parse(settings.hubSecretLabel()));
        this.provisioning = new Provisioning(cluster);
        this.pods = new NotebookPodWatch(cluster::pod);
        this.resolver = new TemplateResolver(cluster::template);
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

        Spawn recorded = recordedSpawn(previous);
        Spawn spawn = recorded != null ? recorded : firstStatus.held(id, uid);
        Spawning.Attempt attempt = null;
        if (spawn == null && !deleting && resolution instanceof TemplateResolution.Resolved resolved) {
            try {
                attempt = spawning.attempt(
                        instance, resolved.template(), settings.templates().get(resolved.template()), provisioning);
            } catch (KubernetesClientException e) {
                if (InstanceReconciler.hasStatusCode(e, 404)) {
                    throw e; // the instance's namespace is going: nothing to tell
                }
                attempt = Spawning.Attempt.waiting(
                        Reason.CreateRetrying, "creating the resources failed, retrying: " + e.getMessage(), List.of());
                throw new CreateRetrying(decide(instance, resolution, attempt, null, null, now), e);
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
                : pods.look(instance, spawn.podName());
        Duration hold = deleting
                ? null
                : firstStatus.hold(id, uid, spawn, recorded != null, seen.observation(), seen.createdAt(), now);
        if (hold != null) {
            // Status unchanged for now; the objects this reconcile created are told at once.
            return new Outcome(null, InstanceEvents.objects(attempt == null ? List.of() : attempt.steps()), hold);
        }
        return decide(instance, resolution, attempt, spawn, seen, now);
    }

    /** The status and Events from what the steps found; seen is null when the pod was not looked at. */
    private Outcome decide(
            JupyterNotebookInstance instance,
            TemplateResolution resolution,
            Spawning.Attempt attempt,
            Spawn spawn,
            NotebookPodWatch.Seen seen,
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
                instance.getMetadata().getDeletionTimestamp() != null);
        JupyterNotebookInstanceStatus previous = instance.getStatus();
        InstanceStatusAggregator.Result result = aggregator.aggregate(previous, facts, now);
        keepSlot(instance, result);
        count(instance, previous, result, now);
        Duration recheck = result.recheckAfter();
        if (facts.waiting() != null && facts.waiting().reason().isProgress()) {
            // Waiting for a slot or an earlier object: try again soon, spread so a queue does not wake at once.
            recheck = WAIT_RETRY.plusMillis(ThreadLocalRandom.current().nextLong(1000));
        }
        return new Outcome(
                result,
                InstanceEvents.decisions(attempt == null ? List.of() : attempt.steps(), previous, result),
                recheck);
    }

    /** A spawn keeps its slot while it provisions or waits, and gives it back once Ready, failed or going. */
    private void keepSlot(JupyterNotebookInstance instance, InstanceStatusAggregator.Result result) {
        String key = Spawning.key(instance);
        Phase phase = result.status().getPhase();
        Reason ready = result.reason(ConditionTypes.READY);
        if (phase == Phase.PROVISIONING) {
            slots.hold(key);
        } else if (phase != Phase.PENDING || ready == Reason.NotCreated) {
            slots.release(key);
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
        slots.release(Spawning.key(instance));
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
                status.getResources() == null ? List.of() : status.getResources());
    }
}
