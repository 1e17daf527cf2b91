package org.jupyterhub.kubespawner.operator.instance;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.jupyterhub.kubespawner.events.EventRecorder;
import org.jupyterhub.kubespawner.events.EventType;
import org.jupyterhub.kubespawner.operator.ManagedLabels;
import org.jupyterhub.kubespawner.operator.OperatorMetrics;
import org.jupyterhub.kubespawner.operator.status.Action;
import org.jupyterhub.kubespawner.operator.status.ConditionTypes;
import org.jupyterhub.kubespawner.operator.status.Conditions;
import org.jupyterhub.kubespawner.operator.status.InstanceFacts;
import org.jupyterhub.kubespawner.operator.status.InstanceStatusAggregator;
import org.jupyterhub.kubespawner.operator.status.PodClassifier;
import org.jupyterhub.kubespawner.operator.status.PodObservation;
import org.jupyterhub.kubespawner.operator.status.Reason;
import org.jupyterhub.kubespawner.operator.status.Spawn;
import org.jupyterhub.kubespawner.operator.status.StatusPatch;
import org.jupyterhub.kubespawner.operator.template.CompiledTemplates;
import org.jupyterhub.kubespawner.operator.template.TemplateResolution;
import org.jupyterhub.kubespawner.operator.template.TemplateResolver;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus.Phase;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancestatus.Resources;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancestatus.ResourcesBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles a JupyterNotebookInstance: resolve the template, plan (pure), create what is missing (create-if-absent,
 * in order), observe the notebook pod, compute the status (pure) and write it only when it changed. The first
 * status of a spawn waits a moment for the pod to be Ready ({@link #firstStatusWait}).
 *
 * <p>Objects are created only until the spawn is complete (status.templateGeneration set); after that the operator
 * only observes: a running pod is never touched, and template changes surface as UpToDate=False.
 *
 * <p>No finalizer: owned objects go by garbage collection and retained claims are kept on purpose, so there is
 * nothing to clean up. JOSDK calls {@code reconcile} for the delete event too (triggerReconcilerOnAllEvents), which
 * is when the {@code ClaimRetained} Events are recorded. That saves a patch of every new instance (and a round trip
 * on every spawn), lets namespaces be deleted without a running operator, and means the operator never writes an
 * instance's metadata or spec: it needs {@code patch} on the status subresource only.
 */
@ControllerConfiguration(name = InstanceReconciler.NAME, triggerReconcilerOnAllEvents = true)
public final class InstanceReconciler implements Reconciler<JupyterNotebookInstance> {

    /** The controller's name (also its field manager). */
    public static final String NAME = "jupyternotebookinstance";
    /**
     * Informers list in pages of this many objects (like client-go's reflectors), so that (re)starting over thousands
     * of instances never holds one huge list response in memory.
     */
    public static final long LIST_PAGE_SIZE = 500;

    private static final String TEMPLATE_INDEX = "spec.template";
    private static final Duration RETRY_WHEN_EXHAUSTED = Duration.ofMinutes(1);
    /**
     * How long after its pod's creation a spawn's first status waits for the pod to be Ready (creationTimestamp has
     * whole seconds, so 1-2 s in fact): see {@link #firstStatusWait}.
     */
    static final Duration FIRST_STATUS_GRACE = Duration.ofSeconds(2);
    /**
     * With at least {@link #BUSY_SPAWNS} spawns holding back their first status at once (a burst of logins), the
     * grace is this long: their pods take seconds to start then, and a "starting" status for each would double the
     * burst's most expensive writes (status patches) for nothing the hub waits for. Blockers are still written at once.
     */
    static final Duration BUSY_FIRST_STATUS_GRACE = Duration.ofSeconds(30);
    /** How many spawns holding back their first status at once make a burst. */
    static final int BUSY_SPAWNS = 20;

    private static final Logger LOG = LoggerFactory.getLogger(InstanceReconciler.class);

    private final EventRecorder events;
    private final CompiledTemplates templates;
    private final InstanceStatusAggregator aggregator;
    private final OperatorMetrics metrics;
    private final Clock clock;

    private InformerEventSource<JupyterNotebookInstanceTemplate, JupyterNotebookInstance> templateSource;
    private InformerEventSource<Pod, JupyterNotebookInstance> podSource;
    private InformerEventSource<PersistentVolumeClaim, JupyterNotebookInstance> claimSource;
    private final Map<Class<?>, InformerEventSource<?, JupyterNotebookInstance>> sources = new LinkedHashMap<>();
    /** Spawns holding back their first status, and since when (entries older than the busy grace are stale). */
    private final Map<ResourceID, Instant> holding = new ConcurrentHashMap<>();

    private volatile Instant nextHoldingSweep = Instant.MIN;

    /**
     * @param events the Event recorder
     * @param templates compiled templates, shared with the template reconciler
     * @param progressTimeout how long a notebook pod may take to become ready
     * @param metrics the operator's metrics
     * @param clock the clock (for tests)
     */
    public InstanceReconciler(
            EventRecorder events,
            CompiledTemplates templates,
            Duration progressTimeout,
            OperatorMetrics metrics,
            Clock clock) {
        this.events = events;
        this.templates = templates;
        this.aggregator = new InstanceStatusAggregator(progressTimeout);
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public List<EventSource<?, JupyterNotebookInstance>> prepareEventSources(
            EventSourceContext<JupyterNotebookInstance> context) {
        // Templates map to the instances that reference them, through an index on spec.template.
        context.getPrimaryCache()
                .addIndexer(
                        TEMPLATE_INDEX,
                        i -> List.of(key(
                                TemplateResolver.templateNamespace(i),
                                i.getSpec().getTemplate().getName())));
        templateSource = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(
                                JupyterNotebookInstanceTemplate.class, JupyterNotebookInstance.class)
                        .withName("templates")
                        .withInformerListLimit(LIST_PAGE_SIZE)
                        .withSecondaryToPrimaryMapper((JupyterNotebookInstanceTemplate t) -> context
                                .getPrimaryCache()
                                .byIndex(
                                        TEMPLATE_INDEX,
                                        key(
                                                t.getMetadata().getNamespace(),
                                                t.getMetadata().getName()))
                                .stream()
                                .map(ResourceID::fromResource)
                                .collect(Collectors.toSet()))
                        // Status writes on templates must not wake every instance: only spec changes (generation)
                        // matter.
                        .withOnUpdateFilter((newer, older) -> !Objects.equals(
                                newer.getMetadata().getGeneration(),
                                older.getMetadata().getGeneration()))
                        .build(),
                context);
        podSource = managed(Pod.class, context, PodClassifier::changesObservation);
        claimSource = managed(PersistentVolumeClaim.class, context, null);
        managed(Service.class, context, null);
        managed(NetworkPolicy.class, context, null);
        List<EventSource<?, JupyterNotebookInstance>> all = new ArrayList<>();
        all.add(templateSource);
        all.addAll(sources.values());
        return all;
    }

    private <R extends HasMetadata> InformerEventSource<R, JupyterNotebookInstance> managed(
            Class<R> type, EventSourceContext<JupyterNotebookInstance> context, OnUpdateFilter<R> onUpdate) {
        SecondaryToPrimaryMapper<R> byLabel = r -> {
            String instance = r.getMetadata().getLabels() == null
                    ? null
                    : r.getMetadata().getLabels().get(ManagedLabels.INSTANCE);
            return instance == null
                    ? Set.of()
                    : Set.of(new ResourceID(instance, r.getMetadata().getNamespace()));
        };
        InformerEventSource<R, JupyterNotebookInstance> source = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(type, JupyterNotebookInstance.class)
                        .withName(type.getSimpleName().toLowerCase())
                        .withLabelSelector(ManagedLabels.SELECTOR)
                        .withInformerListLimit(LIST_PAGE_SIZE)
                        .withSecondaryToPrimaryMapper(byLabel)
                        .withOnUpdateFilter(onUpdate) // null: every update
                        .build(),
                context);
        sources.put(type, source);
        return source;
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }

    @Override
    public UpdateControl<JupyterNotebookInstance> reconcile(
            JupyterNotebookInstance instance, Context<JupyterNotebookInstance> context) {
        if (context.isPrimaryResourceDeleted()) {
            holding.remove(ResourceID.fromResource(instance));
            recordRetainedClaims(instance);
            return UpdateControl.noUpdate();
        }
        if (instance.getMetadata().getDeletionTimestamp() != null) {
            return UpdateControl.noUpdate(); // going (other finalizers or foreground deletion): create nothing more
        }
        Instant now = clock.instant();
        JupyterNotebookInstanceStatus previous = instance.getStatus();
        TemplateResolution resolution = new TemplateResolver((ns, name) ->
                        templateSource.get(new ResourceID(name, ns)).orElse(null))
                .resolve(instance);

        Spawn spawn = recordedSpawn(previous);
        boolean spawnRecorded = spawn != null;
        Rejection rejection = null;
        String createFailure = null;
        Pod notebookPod = null;
        if (spawn == null && resolution instanceof TemplateResolution.Resolved resolved) {
            Plan plan = InstancePlanner.plan(instance, resolved.template(), templates.get(resolved.template()));
            if (plan instanceof Plan.Reject reject) {
                rejection = reject.rejection();
            } else {
                DesiredState desired = ((Plan.Create) plan).desired();
                try {
                    spawn = create(instance, desired, context);
                } catch (Creation.InvalidObjectException e) {
                    createFailure = e.getMessage();
                }
            }
        }
        if (spawn != null) {
            notebookPod = findPod(instance, spawn.podName(), context);
        }
        PodObservation observation = spawn == null ? new PodObservation.Missing() : PodClassifier.classify(notebookPod);
        Instant startedAt = notebookPod == null || notebookPod.getMetadata().getCreationTimestamp() == null
                ? null
                : Instant.parse(notebookPod.getMetadata().getCreationTimestamp());
        ResourceID id = ResourceID.fromResource(instance);
        Duration wait = firstStatusWait(spawnRecorded, observation, startedAt, now, firstStatusGrace(holding(now)));
        if (wait != null) {
            holding.putIfAbsent(id, now);
            return UpdateControl.<JupyterNotebookInstance>noUpdate().rescheduleAfter(wait);
        }
        holding.remove(id);
        long generation = instance.getMetadata().getGeneration() == null
                ? 0
                : instance.getMetadata().getGeneration();
        InstanceStatusAggregator.Result result = aggregator.aggregate(
                previous,
                new InstanceFacts(generation, resolution, rejection, createFailure, spawn, observation, startedAt),
                now);
        JupyterNotebookInstanceStatus next = result.status();

        InstanceEvents.recordTransitions(events, instance, previous, next);
        recordMetrics(instance, previous, next, now);

        UpdateControl<JupyterNotebookInstance> control;
        if (Objects.equals(previous, next)) {
            control = UpdateControl.noUpdate();
        } else {
            LOG.info("{}: {}", next.getPhase() == null ? "-" : next.getPhase().getValue(), next.getMessage());
            instance.setStatus(next);
            control = UpdateControl.patchStatus(StatusPatch.unlocked(instance));
        }
        if (result.recheckAfter() != null) {
            control.rescheduleAfter(result.recheckAfter());
        }
        return control;
    }

    /**
     * How long to hold back the first status of a spawn, or null to write it now. A pod that has just been created
     * and is starting without trouble is usually Ready a moment later (its scheduling and readiness come as watch
     * events): writing "Provisioning" first would put a status write, and the wait for it, on every spawn's path to
     * Ready. So the first status waits up to {@code grace} after the pod's creation ({@link #firstStatusGrace}:
     * {@link #FIRST_STATUS_GRACE}, longer in a burst) while the pod makes progress ({@link Reason#isProgress}: starting,
     * or its claims being bound); anything that holds the pod up (FailedScheduling, image pull errors, ...) is
     * written at once, and so is every later status.
     * Until then status is unchanged, so no Event is recorded twice, and nothing is created twice: the next
     * reconcile finds the objects in the informer caches.
     */
    static Duration firstStatusWait(
            boolean spawnRecorded, PodObservation pod, Instant podCreated, Instant now, Duration grace) {
        if (spawnRecorded
                || podCreated == null
                || !(pod instanceof PodObservation.Starting starting)
                || !starting.blocker().isProgress()) {
            return null;
        }
        Duration left = Duration.between(now, podCreated.plus(grace));
        if (left.isNegative() || left.isZero()) {
            return null;
        }
        // The pod's creation time is the API server's clock: a skewed operator clock shifts the window, never more.
        return left.compareTo(grace) > 0 ? grace : left;
    }

    /** The first-status grace when {@code holding} spawns are holding back theirs: longer in a burst. */
    static Duration firstStatusGrace(int holding) {
        return holding >= BUSY_SPAWNS ? BUSY_FIRST_STATUS_GRACE : FIRST_STATUS_GRACE;
    }

    /**
     * How many spawns hold back their first status now. Every 10 s it forgets entries older than twice the busy
     * grace, left by instances whose deletion went unnoticed (not on every call: a burst holds thousands).
     */
    private int holding(Instant now) {
        if (now.isAfter(nextHoldingSweep)) {
            nextHoldingSweep = now.plusSeconds(10);
            Instant stale = now.minus(BUSY_FIRST_STATUS_GRACE.multipliedBy(2));
            holding.values().removeIf(since -> since.isBefore(stale));
        }
        return holding.size();
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

    private Spawn create(
            JupyterNotebookInstance instance, DesiredState desired, Context<JupyterNotebookInstance> context) {
        ResourceID primary = ResourceID.fromResource(instance);
        List<Resources> created = new ArrayList<>(desired.objects().size());
        for (DesiredObject object : desired.objects()) {
            InformerEventSource<?, JupyterNotebookInstance> source =
                    sources.get(object.object().getClass());
            boolean cached = source != null
                    && source.get(new ResourceID(
                                    object.name(), instance.getMetadata().getNamespace()))
                            .isPresent();
            String message = null;
            if (!cached) {
                Creation.Result result = Creation.createIfAbsent(context.getClient(), object.object());
                if (result.outcome() == Creation.Outcome.CREATED) {
                    remember(source, primary, result.object());
                    metrics.created(object.kind());
                    events.record(
                            instance,
                            result.object(),
                            EventType.NORMAL,
                            Reason.ResourceCreated,
                            Action.Create,
                            "created " + object.kind() + " " + object.name()
                                    + (object.retained() ? " (kept when the instance is deleted)" : ""));
                } else if (!DesiredStateAssembler.isOwned(object.object()) || object.retained()) {
                    // Typically the user's claim from an earlier start (or from KubeSpawner): used as it is.
                    message = "already existed; used as it is";
                    events.record(
                            instance,
                            EventType.NORMAL,
                            Reason.ResourceExisted,
                            Action.Create,
                            object.kind() + " " + object.name() + " already exists and is used as it is");
                }
            }
            created.add(new ResourcesBuilder()
                    .withApiVersion(object.object().getApiVersion())
                    .withKind(object.kind())
                    .withName(object.name())
                    .withState(object.retained() ? "Retained" : "Created")
                    .withMessage(message)
                    .build());
        }
        return new Spawn(desired.templateGeneration(), desired.notebookPod(), desired.notebookPort(), created);
    }

    @SuppressWarnings("unchecked")
    private static <R extends HasMetadata> void remember(
            InformerEventSource<R, JupyterNotebookInstance> source, ResourceID primary, HasMetadata created) {
        if (source != null && created != null) {
            // So the next reconcile sees what was just created even before the watch delivers it.
            source.handleRecentResourceCreate(primary, (R) created);
        }
    }

    private Pod findPod(JupyterNotebookInstance instance, String podName, Context<JupyterNotebookInstance> context) {
        String ns = instance.getMetadata().getNamespace();
        Optional<Pod> cached = podSource.get(new ResourceID(podName, ns));
        if (cached.isPresent()) {
            return cached.get();
        }
        // The cache can lag behind a create; ask once before declaring the pod gone.
        return context.getClient().pods().inNamespace(ns).withName(podName).get();
    }

    private void recordMetrics(
            JupyterNotebookInstance instance,
            JupyterNotebookInstanceStatus before,
            JupyterNotebookInstanceStatus after,
            Instant now) {
        Phase was = before == null ? null : before.getPhase();
        if (after.getPhase() == was) {
            return;
        }
        if (after.getPhase() == Phase.READY && instance.getMetadata().getCreationTimestamp() != null) {
            metrics.ready(Duration.between(Instant.parse(instance.getMetadata().getCreationTimestamp()), now));
        } else if (after.getPhase() == Phase.FAILED) {
            var ready = Conditions.find(after.getConditions(), ConditionTypes.READY);
            try {
                metrics.failed("instance", Reason.valueOf(ready.getReason()));
            } catch (RuntimeException e) {
                LOG.debug("unexpected reason on {}", ready);
            }
        }
    }

    /**
     * A reconcile failed with an error worth retrying (API server unavailable, quota exceeded, forbidden): say so in
     * status and as an Event, and let JOSDK retry with back-off.
     */
    @Override
    public ErrorStatusUpdateControl<JupyterNotebookInstance> updateErrorStatus(
            JupyterNotebookInstance instance, Context<JupyterNotebookInstance> context, Exception e) {
        if (isWriteConflict(e)) {
            // Our status patch raced another write of the instance: nothing failed, nothing to tell the user; JOSDK
            // reconciles again with the fresh object. (AlreadyExists on create never gets here: it counts as success.)
            LOG.debug("status write conflicted, retrying: {}", e.getMessage());
            return ErrorStatusUpdateControl.defaultErrorProcessing();
        }
        if (isNotFound(e)) {
            // The instance (or its namespace) was deleted while this reconcile ran: its status patch found nothing.
            // Nothing failed and nothing is left to retry; JOSDK may drop the instance without a reconcile of the
            // deletion, so the retained claims are recorded here (the Event series counts a second record, not a copy).
            LOG.debug("{} is gone: {}", instance.getMetadata().getName(), e.getMessage());
            recordRetainedClaims(instance);
            return ErrorStatusUpdateControl.<JupyterNotebookInstance>noStatusUpdate()
                    .withNoRetry();
        }
        String message = "creating the resources failed, retrying: " + e.getMessage();
        events.record(instance, EventType.WARNING, Reason.CreateFailed, Action.Create, message);
        JupyterNotebookInstanceStatus previous = instance.getStatus();
        if (previous != null && previous.getTemplateGeneration() != null) {
            return ErrorStatusUpdateControl.defaultErrorProcessing(); // spawned already: the status stays as observed
        }
        JupyterNotebookInstanceStatus next = new JupyterNotebookInstanceStatus();
        long generation = instance.getMetadata().getGeneration() == null
                ? 0
                : instance.getMetadata().getGeneration();
        next.setObservedGeneration(generation);
        next.setPhase(Phase.PROVISIONING);
        next.setMessage(message);
        next.setConditions(List.of(Conditions.next(
                previous == null ? null : previous.getConditions(),
                ConditionTypes.RESOURCES_CREATED,
                Conditions.FALSE,
                Reason.CreateFailed,
                message,
                generation,
                clock.instant())));
        ErrorStatusUpdateControl<JupyterNotebookInstance> control;
        if (Objects.equals(previous, next)) {
            control = ErrorStatusUpdateControl.noStatusUpdate();
        } else {
            instance.setStatus(next);
            control = ErrorStatusUpdateControl.patchStatus(StatusPatch.unlocked(instance));
        }
        // JOSDK's retries (with back-off) come first; once they are spent, keep trying at a slow pace. (A delay given
        // earlier would replace the back-off.)
        boolean lastAttempt = context.getRetryInfo().map(r -> r.isLastAttempt()).orElse(true);
        return lastAttempt ? control.rescheduleAfter(RETRY_WHEN_EXHAUSTED) : control;
    }

    /** Whether the failure is an optimistic-concurrency conflict (HTTP 409) anywhere in its causes. */
    static boolean isWriteConflict(Throwable failure) {
        return hasStatusCode(failure, 409);
    }

    /**
     * Whether the failure is a 404 anywhere in its causes. Reads of missing objects return null rather than throw,
     * so a 404 here comes from a write: the status patch of a deleted instance, or a create in a deleted namespace.
     */
    static boolean isNotFound(Throwable failure) {
        return hasStatusCode(failure, 404);
    }

    private static boolean hasStatusCode(Throwable failure, int code) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof KubernetesClientException k && k.getCode() == code) {
                return true;
            }
        }
        return false;
    }

    /**
     * The instance is gone (its last known state): its retained claims stay, which is worth an Event for the audit
     * trail. Best effort and bounded: only Events from the cache, no API reads. Missed if the operator is not running
     * at the time; the deletion itself is always in the API server's audit log.
     */
    private void recordRetainedClaims(JupyterNotebookInstance instance) {
        try {
            JupyterNotebookInstanceStatus status = instance.getStatus();
            if (status == null || status.getResources() == null) {
                return;
            }
            for (Resources r : status.getResources()) {
                if ("PersistentVolumeClaim".equals(r.getKind()) && "Retained".equals(r.getState())) {
                    PersistentVolumeClaim claim = claimSource
                            .get(new ResourceID(
                                    r.getName(), instance.getMetadata().getNamespace()))
                            .orElse(null);
                    events.record(
                            instance,
                            claim,
                            EventType.NORMAL,
                            Reason.ClaimRetained,
                            Action.Delete,
                            "PersistentVolumeClaim " + r.getName()
                                    + " is kept (whenDeleted: Retain) for the next start");
                }
            }
        } catch (RuntimeException e) {
            LOG.warn(
                    "could not record the deletion of {}: {}",
                    instance.getMetadata().getName(),
                    e.toString());
        }
    }
}
