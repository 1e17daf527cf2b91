package org.jupyterhub.kubespawner.operator.instance;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.jupyterhub.kubespawner.events.EventRecorder;
import org.jupyterhub.kubespawner.events.EventType;
import org.jupyterhub.kubespawner.operator.vocabulary.Action;
import org.jupyterhub.kubespawner.operator.vocabulary.ConditionTypes;
import org.jupyterhub.kubespawner.operator.vocabulary.Conditions;
import org.jupyterhub.kubespawner.operator.vocabulary.Reason;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancestatus.Resources;

/**
 * The one place an instance's Events come from: what a reconcile did to objects (created, used again, adopted) and
 * the decisions its status change tells (template resolved or not, admitted or rejected, ready, failed, out of
 * date), one Event per decision, never one per reconcile; and the claims kept when an instance is deleted.
 */
final class InstanceEvents {

    /**
     * One Event to record.
     *
     * @param type Normal or Warning
     * @param reason the reason, the same word as the condition's
     * @param action what the operator did
     * @param note the message
     * @param related a second object involved (the object created), or null
     */
    record Decision(EventType type, Reason reason, Action action, String note, HasMetadata related) {}

    /** Reasons that are news, not trouble, even on a False condition (besides those that are progress). */
    private static final Set<Reason> NORMAL = EnumSet.of(
            Reason.PodReady,
            Reason.NotCreated,
            Reason.TemplateFound,
            Reason.TemplateUnchanged,
            Reason.TemplateChanged,
            Reason.Created);
    /** Ready reasons already told by the TemplateResolved Event. */
    private static final Set<Reason> TOLD_BY_RESOLUTION =
            EnumSet.of(Reason.TemplateNotFound, Reason.TemplateForbidden, Reason.NotCreated);
    /** Ready reasons decided when admitting the instance, before anything is created. */
    private static final Set<Reason> ADMISSION = EnumSet.of(
            Reason.TemplateInvalid,
            Reason.VariablesRejected,
            Reason.RenderFailed,
            Reason.ImageDenied,
            Reason.ArgsNotAllowed,
            Reason.InvalidInstanceName,
            Reason.SecretRejected,
            Reason.SpawnQueued);
    /** Ready reasons decided while creating the objects. */
    private static final Set<Reason> CREATION =
            EnumSet.of(Reason.CreateFailed, Reason.CreateRetrying, Reason.ObjectTerminating);

    private InstanceEvents() {}

    /**
     * Records a reconcile's Events.
     *
     * @param events the recorder
     * @param instance the instance
     * @param decisions from {@link #decisions}
     */
    static void record(EventRecorder events, JupyterNotebookInstance instance, List<Decision> decisions) {
        for (Decision d : decisions) {
            events.record(instance, d.related(), d.type(), d.reason(), d.action(), d.note());
        }
    }

    /**
     * The Events of one reconcile: one per object created, used again or adopted, then those the status change calls
     * for.
     *
     * @param steps the objects handled by this reconcile, in order
     * @param before the previous status, may be null
     * @param after the new status and its reasons
     * @return the Events, in that order
     */
    static List<Decision> decisions(
            List<Provisioning.Step> steps,
            JupyterNotebookInstanceStatus before,
            InstanceStatusAggregator.Result after) {
        List<Decision> decisions = objects(steps);
        decisions.addAll(transitions(before, after));
        return decisions;
    }

    /**
     * One Event per object a reconcile created, used again (a retained claim) or adopted.
     *
     * @param steps the objects handled, in order
     * @return the Events, in that order (a new mutable list)
     */
    static List<Decision> objects(List<Provisioning.Step> steps) {
        List<Decision> decisions = new ArrayList<>(steps.size() + 2);
        for (Provisioning.Step step : steps) {
            DesiredObject o = step.object();
            switch (step.done()) {
                case CREATED ->
                    decisions.add(new Decision(
                            EventType.NORMAL,
                            Reason.ResourceCreated,
                            Action.Create,
                            "created " + o.kind() + " " + o.name()
                                    + (o.retained() ? " (kept when the instance is deleted)" : ""),
                            step.created()));
                case FOUND -> {
                    if (o.retained()) {
                        decisions.add(new Decision(
                                EventType.NORMAL,
                                Reason.ResourceExisted,
                                Action.Create,
                                o.kind() + " " + o.name()
                                        + " already exists (made for this instance earlier) and is used as it is",
                                null));
                    }
                }
                case ADOPTED ->
                    decisions.add(new Decision(EventType.NORMAL, Reason.ClaimAdopted, Action.Adopt, step.note(), null));
            }
        }
        return decisions;
    }

    /**
     * The Events a status change calls for: TemplateResolved and Ready when their status or reason changed (Ready's
     * only when the resolution or the pod's creation did not already tell it), UpToDate when it turned False.
     *
     * @param before the previous status, may be null
     * @param after the new status and its reasons
     * @return the Events, in that order
     */
    static List<Decision> transitions(JupyterNotebookInstanceStatus before, InstanceStatusAggregator.Result after) {
        List<Condition> old = before == null ? null : before.getConditions();
        List<Condition> now = after.status().getConditions();
        List<Decision> decisions = new ArrayList<>(2);
        if (changed(old, now, ConditionTypes.TEMPLATE_RESOLVED, after)) {
            decide(now, ConditionTypes.TEMPLATE_RESOLVED, after, Action.Resolve, decisions);
        }
        Reason ready = after.reason(ConditionTypes.READY);
        // A pod merely starting right after its creation is told by the ResourceCreated Event already; a burst of
        // spawns would otherwise write a quarter more Events for nothing new.
        boolean justCreated = ready == Reason.PodStarting && Conditions.find(old, ConditionTypes.READY) == null;
        if (changed(old, now, ConditionTypes.READY, after) && !TOLD_BY_RESOLUTION.contains(ready) && !justCreated) {
            decide(now, ConditionTypes.READY, after, action(ready, after), decisions);
        }
        Condition upToDate = Conditions.find(now, ConditionTypes.UP_TO_DATE);
        if (changed(old, now, ConditionTypes.UP_TO_DATE, after)
                && upToDate != null
                && Conditions.FALSE.equals(upToDate.getStatus())) {
            decide(now, ConditionTypes.UP_TO_DATE, after, Action.Compare, decisions);
        }
        return decisions;
    }

    private static Action action(Reason ready, InstanceStatusAggregator.Result after) {
        if (ADMISSION.contains(ready)) {
            return Action.Admit;
        }
        if (CREATION.contains(ready)
                || (ready == Reason.NameConflict
                        && after.reason(ConditionTypes.RESOURCES_CREATED) == Reason.NameConflict)) {
            return Action.Create;
        }
        return Action.Observe;
    }

    private static void decide(
            List<Condition> now,
            String type,
            InstanceStatusAggregator.Result after,
            Action action,
            List<Decision> decisions) {
        Condition c = Conditions.find(now, type);
        Reason reason = after.reason(type);
        boolean normal = reason.isProgress() || NORMAL.contains(reason) || Conditions.TRUE.equals(c.getStatus());
        decisions.add(
                new Decision(normal ? EventType.NORMAL : EventType.WARNING, reason, action, c.getMessage(), null));
    }

    /** Whether the condition of that type is new, or its status or reason differs from before. */
    private static boolean changed(
            List<Condition> before, List<Condition> after, String type, InstanceStatusAggregator.Result result) {
        Condition now = Conditions.find(after, type);
        if (now == null || result.reason(type) == null) {
            return false;
        }
        Condition was = Conditions.find(before, type);
        return was == null
                || !Objects.equals(was.getStatus(), now.getStatus())
                || !result.reason(type).name().equals(was.getReason());
    }

    /**
     * The Events for a deleted instance: each retained claim stays, which is worth an Event for the audit trail.
     * Best effort: only objects from the cache, no API reads.
     *
     * @param instance the instance's last known state
     * @param claims finds a claim by name in the cache (null when absent)
     * @return the Events
     */
    static List<Decision> retainedClaims(
            JupyterNotebookInstance instance, Function<String, PersistentVolumeClaim> claims) {
        JupyterNotebookInstanceStatus status = instance.getStatus();
        if (status == null || status.getResources() == null) {
            return List.of();
        }
        List<Decision> decisions = new ArrayList<>();
        for (Resources r : status.getResources()) {
            if ("PersistentVolumeClaim".equals(r.getKind()) && "Retained".equals(r.getState())) {
                decisions.add(new Decision(
                        EventType.NORMAL,
                        Reason.ClaimRetained,
                        Action.Delete,
                        "PersistentVolumeClaim " + r.getName() + " is kept (whenDeleted: Retain) for the next start",
                        claims.apply(r.getName())));
            }
        }
        return decisions;
    }
}
