package org.jupyterhub.kubespawner.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jupyterhub.kubespawner.operator.template.TemplateResolution;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus.Phase;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancestatus.Resources;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancestatus.ResourcesBuilder;

/**
 * The one place an instance's status is computed: phase, message, the four conditions and the notebook's address,
 * from {@link InstanceFacts}. Deterministic: the same facts and previous status give an equal status (times are
 * only taken when a condition flips), so the reconciler writes status only when something really changed.
 */
public final class InstanceStatusAggregator {

    private final Duration progressTimeout;

    /**
     * @param progressTimeout how long the notebook pod may take to become ready before the instance fails
     */
    public InstanceStatusAggregator(Duration progressTimeout) {
        this.progressTimeout = progressTimeout;
    }

    /**
     * The computed status and when to look again.
     *
     * @param status the new status
     * @param recheckAfter when the progress timeout will expire if nothing else happens, or null
     */
    public record Result(JupyterNotebookInstanceStatus status, Duration recheckAfter) {}

    /**
     * Computes the status.
     *
     * @param previous the current status, may be null
     * @param facts what was found
     * @param now the current time (only used for transitions and the timeout)
     * @return the status to have
     */
    public Result aggregate(JupyterNotebookInstanceStatus previous, InstanceFacts facts, Instant now) {
        List<Condition> old = previous == null ? null : previous.getConditions();
        Long gen = facts.generation();
        List<Condition> conditions = new ArrayList<>(4);
        JupyterNotebookInstanceStatus status = new JupyterNotebookInstanceStatus();
        status.setObservedGeneration(gen);
        Duration recheck = null;

        // TemplateResolved
        TemplateResolution resolution = facts.resolution();
        if (resolution instanceof TemplateResolution.Resolved r) {
            conditions.add(Conditions.next(
                    old,
                    ConditionTypes.TEMPLATE_RESOLVED,
                    Conditions.TRUE,
                    Reason.TemplateFound,
                    "template " + r.template().getMetadata().getNamespace() + "/"
                            + r.template().getMetadata().getName() + " (generation "
                            + r.template().getMetadata().getGeneration() + ")",
                    gen,
                    now));
        } else if (resolution instanceof TemplateResolution.NotFound n) {
            conditions.add(Conditions.next(
                    old,
                    ConditionTypes.TEMPLATE_RESOLVED,
                    Conditions.FALSE,
                    Reason.TemplateNotFound,
                    n.message(),
                    gen,
                    now));
        } else if (resolution instanceof TemplateResolution.Forbidden f) {
            conditions.add(Conditions.next(
                    old,
                    ConditionTypes.TEMPLATE_RESOLVED,
                    Conditions.FALSE,
                    Reason.TemplateForbidden,
                    f.message(),
                    gen,
                    now));
        }

        Spawn spawn = facts.spawn();
        Phase phase;
        String message;
        Reason readyReason;
        String readyStatus = Conditions.FALSE;
        if (spawn == null) {
            // Nothing exists: the instance waits for a fix (template, values) or failed to create.
            Reason why;
            if (resolution instanceof TemplateResolution.NotFound n) {
                why = Reason.TemplateNotFound;
                message = n.message();
            } else if (resolution instanceof TemplateResolution.Forbidden f) {
                why = Reason.TemplateForbidden;
                message = f.message();
            } else if (facts.rejection() != null) {
                why = facts.rejection().reason();
                message = facts.rejection().summary();
            } else if (facts.createFailure() != null) {
                why = Reason.CreateFailed;
                message = facts.createFailure();
            } else {
                why = Reason.NotCreated;
                message = "resources not created yet";
            }
            phase = why == Reason.NotCreated ? Phase.PENDING : Phase.FAILED;
            conditions.add(Conditions.next(
                    old,
                    ConditionTypes.RESOURCES_CREATED,
                    Conditions.FALSE,
                    why == Reason.CreateFailed ? why : Reason.NotCreated,
                    message,
                    gen,
                    now));
            readyReason = why;
            conditions.add(Conditions.next(old, ConditionTypes.READY, readyStatus, readyReason, message, gen, now));
            conditions.add(Conditions.next(
                    old,
                    ConditionTypes.UP_TO_DATE,
                    Conditions.UNKNOWN,
                    Reason.NotRendered,
                    "nothing rendered yet",
                    gen,
                    now));
            status.setPhase(phase);
            status.setMessage(message);
            status.setConditions(conditions);
            return new Result(status, null);
        }

        conditions.add(Conditions.next(
                old,
                ConditionTypes.RESOURCES_CREATED,
                Conditions.TRUE,
                Reason.Created,
                spawn.resources().size() + " objects exist",
                gen,
                now));
        status.setTemplateGeneration(spawn.templateGeneration());
        status.setPodName(spawn.podName());
        status.setPort(spawn.port());

        PodObservation pod = facts.notebookPod();
        if (pod instanceof PodObservation.Ready r) {
            phase = Phase.READY;
            readyStatus = Conditions.TRUE;
            readyReason = Reason.PodReady;
            String url = "http://" + (r.podIP().contains(":") ? "[" + r.podIP() + "]" : r.podIP()) + ":" + spawn.port();
            message = "notebook server ready at " + url;
            status.setPodIP(r.podIP());
            status.setUrl(url);
        } else if (pod instanceof PodObservation.Ended e) {
            phase = Phase.FAILED;
            readyReason = e.reason();
            message = e.detail();
        } else if (pod instanceof PodObservation.Starting s) {
            Instant started = facts.startedAt() == null ? now : facts.startedAt();
            Duration waited = Duration.between(started, now);
            if (waited.compareTo(progressTimeout) >= 0) {
                phase = Phase.FAILED;
                readyReason = s.blocker().isProgress() ? Reason.ProgressDeadlineExceeded : s.blocker();
                message = "not ready after " + progressTimeout.toSeconds() + "s (progress timeout): " + s.detail();
            } else {
                phase = Phase.PROVISIONING;
                readyReason = s.blocker();
                message = "waiting for the notebook server: " + s.detail();
                recheck = progressTimeout.minus(waited).plusSeconds(1);
            }
        } else {
            phase = Phase.FAILED;
            readyReason = Reason.PodDeleted;
            message = "notebook pod " + spawn.podName() + " was deleted; delete the instance and start again";
        }
        conditions.add(Conditions.next(old, ConditionTypes.READY, readyStatus, readyReason, message, gen, now));

        if (resolution instanceof TemplateResolution.Resolved r) {
            long current = r.template().getMetadata().getGeneration() == null
                    ? 0
                    : r.template().getMetadata().getGeneration();
            boolean same = current == spawn.templateGeneration();
            conditions.add(Conditions.next(
                    old,
                    ConditionTypes.UP_TO_DATE,
                    same ? Conditions.TRUE : Conditions.FALSE,
                    same ? Reason.TemplateUnchanged : Reason.TemplateChanged,
                    same
                            ? "rendered from the template's current generation " + current
                            : "template changed (generation " + spawn.templateGeneration() + " -> " + current
                                    + ") since the resources were rendered; the change applies at the next start",
                    gen,
                    now));
        } else {
            conditions.add(Conditions.next(
                    old,
                    ConditionTypes.UP_TO_DATE,
                    Conditions.FALSE,
                    Reason.TemplateDeleted,
                    "the template is gone or no longer usable; the running server is left as it is",
                    gen,
                    now));
        }
        status.setPhase(phase);
        status.setMessage(message);
        status.setConditions(conditions);
        status.setResources(resources(spawn, pod));
        return new Result(status, recheck);
    }

    private static List<Resources> resources(Spawn spawn, PodObservation pod) {
        List<Resources> list = new ArrayList<>(spawn.resources().size());
        for (Resources r : spawn.resources()) {
            if (!"Pod".equals(r.getKind()) || !Objects.equals(r.getName(), spawn.podName())) {
                list.add(r);
                continue;
            }
            ResourcesBuilder b = new ResourcesBuilder(r).withMessage(null);
            if (pod instanceof PodObservation.Ready) {
                b.withState("Ready");
            } else if (pod instanceof PodObservation.Starting s) {
                b.withState("Pending").withMessage(s.blocker() == Reason.PodStarting ? null : s.detail());
            } else if (pod instanceof PodObservation.Ended e) {
                b.withState(e.reason() == Reason.PodDeleted ? "Missing" : "Failed")
                        .withMessage(e.detail());
            } else {
                b.withState("Missing");
            }
            list.add(b.build());
        }
        return list;
    }
}
