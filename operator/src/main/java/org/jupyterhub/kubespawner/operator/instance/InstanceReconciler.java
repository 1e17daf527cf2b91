package org.jupyterhub.kubespawner.operator.instance;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.jupyterhub.kubespawner.events.EventRecorder;
import org.jupyterhub.kubespawner.operator.OperatorMetrics;
import org.jupyterhub.kubespawner.operator.StatusPatch;
import org.jupyterhub.kubespawner.operator.template.CompiledTemplates;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles a JupyterNotebookInstance by coordinating named steps ({@link InstanceReconcile}): resolve the template,
 * spawn once (plan, slot, Secret check, create what is provably missing), observe the notebook pod, hold the first
 * status briefly, compute the status (pure) and the Events from the outcome. This class adapts the outcome to JOSDK:
 * a status patch only when the status changed, Events recorded in one place, retries with back-off.
 *
 * <p>Objects are created only until the spawn is complete (status.templateGeneration set); after that the operator
 * only observes: a running pod is never touched, and template changes surface as UpToDate=False.
 *
 * <p>No finalizer: owned objects go by garbage collection and retained claims are kept on purpose, so there is nothing
 * to clean up. JOSDK calls {@code reconcile} for the delete event too (triggerReconcilerOnAllEvents), which is when
 * the {@code ClaimRetained} Events are recorded; namespaces can be deleted without a running operator, and the
 * operator never writes an instance's metadata or spec: it needs {@code patch} on the status subresource only.
 */
@ControllerConfiguration(name = InstanceReconciler.NAME, triggerReconcilerOnAllEvents = true)
public final class InstanceReconciler implements Reconciler<JupyterNotebookInstance> {

    /** The controller's name (also its field manager). */
    public static final String NAME = "jupyternotebookinstance";
    /** Informers list in pages of this many objects: see {@link InstanceEventSources#LIST_PAGE_SIZE}. */
    public static final long LIST_PAGE_SIZE = InstanceEventSources.LIST_PAGE_SIZE;

    private static final Duration RETRY_WHEN_EXHAUSTED = Duration.ofMinutes(1);
    private static final Logger LOG = LoggerFactory.getLogger(InstanceReconciler.class);

    private final EventRecorder events;
    private final InstanceEventSources sources = new InstanceEventSources();
    private final WrittenStatus written = new WrittenStatus();
    private final Settings settings;
    private volatile InstanceReconcile steps;

    /**
     * What the reconcile steps need besides the cluster.
     *
     * @param templates compiled templates, shared with the template reconciler
     * @param progressTimeout how long a notebook pod may take to become ready
     * @param maxConcurrentSpawns how many spawns may provision at once
     * @param hubSecretLabel the label ({@code key=value}) every Secret an instance's envSecretRef names must carry
     * @param metrics the operator's metrics
     * @param clock the clock
     */
    public record Settings(
            CompiledTemplates templates,
            Duration progressTimeout,
            int maxConcurrentSpawns,
            String hubSecretLabel,
            OperatorMetrics metrics,
            Clock clock) {}

    /**
     * @param events the Event recorder
     * @param settings the steps' settings
     */
    public InstanceReconciler(EventRecorder events, Settings settings) {
        this.events = events;
        this.settings = settings;
    }

    /** For tests: the steps over a given cluster view, no informers. */
    InstanceReconciler(EventRecorder events, Settings settings, InstanceCluster cluster) {
        this(events, settings);
        this.steps = new InstanceReconcile(settings, cluster);
    }

    @Override
    public List<EventSource<?, JupyterNotebookInstance>> prepareEventSources(
            EventSourceContext<JupyterNotebookInstance> context) {
        List<EventSource<?, JupyterNotebookInstance>> all = sources.prepare(context);
        steps = new InstanceReconcile(settings, InstanceCluster.live(sources, context.getClient()));
        return all;
    }

    @Override
    public UpdateControl<JupyterNotebookInstance> reconcile(
            JupyterNotebookInstance instance, Context<JupyterNotebookInstance> context) {
        if (context.isPrimaryResourceDeleted()) {
            written.forget(instance);
            InstanceEvents.record(events, instance, steps.gone(instance));
            return UpdateControl.noUpdate();
        }
        written.freshen(instance);
        // A create that fails for a passing reason throws CreateRetrying: JOSDK retries with back-off and hands it
        // to updateErrorStatus, with the status and Events the steps decided.
        InstanceReconcile.Outcome outcome = steps.reconcile(instance);
        InstanceEvents.record(events, instance, outcome.decisions());
        UpdateControl<JupyterNotebookInstance> control = outcome.changes(instance.getStatus())
                ? UpdateControl.patchStatus(withStatus(instance, outcome))
                : UpdateControl.noUpdate();
        return outcome.recheckAfter() == null ? control : control.rescheduleAfter(outcome.recheckAfter());
    }

    /**
     * A reconcile failed. A create that failed for a passing reason carries the status and Events its steps decided
     * (through the same aggregator as every status); any other failure (a status write, the API server down while
     * observing) changes neither status nor the audit trail, and is retried.
     */
    @Override
    public ErrorStatusUpdateControl<JupyterNotebookInstance> updateErrorStatus(
            JupyterNotebookInstance instance, Context<JupyterNotebookInstance> context, Exception e) {
        if (hasStatusCode(e, 409)) {
            // Our status patch raced another write of the instance: nothing failed; JOSDK reconciles again.
            LOG.debug("status write conflicted, retrying: {}", e.getMessage());
            return ErrorStatusUpdateControl.defaultErrorProcessing();
        }
        if (hasStatusCode(e, 404)) {
            // The instance (or its namespace) was deleted while this reconcile ran; JOSDK may drop it without a
            // reconcile of the deletion, so its retained claims are recorded here (a second record only counts).
            InstanceEvents.record(events, instance, steps.gone(instance));
            return ErrorStatusUpdateControl.<JupyterNotebookInstance>noStatusUpdate()
                    .withNoRetry();
        }
        InstanceReconcile.CreateRetrying retrying = createRetrying(e);
        if (retrying == null) {
            LOG.warn(
                    "reconcile of {} failed, retrying: {}",
                    instance.getMetadata().getName(),
                    e.toString());
            return ErrorStatusUpdateControl.defaultErrorProcessing();
        }
        written.freshen(instance);
        InstanceReconcile.Outcome outcome = retrying.outcome();
        InstanceEvents.record(events, instance, outcome.decisions());
        ErrorStatusUpdateControl<JupyterNotebookInstance> control = outcome.changes(instance.getStatus())
                ? ErrorStatusUpdateControl.patchStatus(withStatus(instance, outcome))
                : ErrorStatusUpdateControl.noStatusUpdate();
        // JOSDK's retries (with back-off) come first; once spent, keep trying at a slow pace.
        boolean lastAttempt = context.getRetryInfo().map(r -> r.isLastAttempt()).orElse(true);
        return lastAttempt ? control.rescheduleAfter(RETRY_WHEN_EXHAUSTED) : control;
    }

    private JupyterNotebookInstance withStatus(JupyterNotebookInstance instance, InstanceReconcile.Outcome outcome) {
        written.remember(instance, outcome.result().status());
        LOG.info(
                "{}/{}: {}: {}",
                instance.getMetadata().getNamespace(),
                instance.getMetadata().getName(),
                outcome.result().status().getPhase(),
                outcome.result().status().getMessage());
        instance.setStatus(outcome.result().status());
        return StatusPatch.unlocked(instance);
    }

    /** The create failure in the causes (JOSDK wraps what reconcile throws), or null. */
    private static InstanceReconcile.CreateRetrying createRetrying(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof InstanceReconcile.CreateRetrying retrying) {
                return retrying;
            }
        }
        return null;
    }

    /** Whether the failure carries this HTTP status anywhere in its causes. */
    static boolean hasStatusCode(Throwable failure, int code) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof KubernetesClientException k && k.getCode() == code) {
                return true;
            }
        }
        return false;
    }

    /** For tests: whether a failure is a write conflict (409). */
    static boolean isWriteConflict(Throwable failure) {
        return hasStatusCode(failure, 409);
    }

    /** For tests: whether a failure found its object gone (404). */
    static boolean isNotFound(Throwable failure) {
        return hasStatusCode(failure, 404);
    }
}
