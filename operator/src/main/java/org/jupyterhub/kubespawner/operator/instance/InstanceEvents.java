package org.jupyterhub.kubespawner.operator.instance;

import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jupyterhub.kubespawner.events.EventRecorder;
import org.jupyterhub.kubespawner.events.EventType;
import org.jupyterhub.kubespawner.operator.status.Action;
import org.jupyterhub.kubespawner.operator.status.ConditionTypes;
import org.jupyterhub.kubespawner.operator.status.Conditions;
import org.jupyterhub.kubespawner.operator.status.Reason;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus;

/**
 * Turns status transitions into Events: one Event per decision (template resolved or not, admitted or rejected,
 * ready, failed, out of date), not one per reconcile. Object creations are recorded where they happen.
 */
final class InstanceEvents {

    /**
     * One Event to record.
     *
     * @param type Normal or Warning
     * @param reason the reason, the same word as the condition's
     * @param action what the operator did
     * @param note the condition's message
     */
    record Decision(EventType type, Reason reason, Action action, String note) {}

    /** Reasons that are news, not trouble, even on a False condition (besides the waiting ones that are progress). */
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

    private InstanceEvents() {}

    static void recordTransitions(
            EventRecorder events,
            JupyterNotebookInstance instance,
            JupyterNotebookInstanceStatus before,
            JupyterNotebookInstanceStatus after) {
        for (Decision d : transitions(before, after)) {
            events.record(instance, d.type(), d.reason(), d.action(), d.note());
        }
    }

    /**
     * The Events a status change calls for: TemplateResolved and Ready when their status or reason changed (Ready's
     * only when the resolution or the pod's creation did not already tell it), UpToDate when it turned False.
     *
     * @param before the previous status, may be null
     * @param after the new status
     * @return the Events, in that order
     */
    static List<Decision> transitions(JupyterNotebookInstanceStatus before, JupyterNotebookInstanceStatus after) {
        List<Condition> old = before == null ? null : before.getConditions();
        List<Decision> decisions = new ArrayList<>(2);
        Condition resolved = changed(old, after.getConditions(), ConditionTypes.TEMPLATE_RESOLVED);
        if (resolved != null) {
            decide(resolved, Action.Resolve, decisions);
        }
        Condition ready = changed(old, after.getConditions(), ConditionTypes.READY);
        Reason reason = ready == null ? null : reasonOf(ready);
        // A pod that is merely starting right after its creation is told by the ResourceCreated Event already; a
        // burst of spawns would otherwise write a quarter more Events for nothing new.
        boolean justCreated = reason == Reason.PodStarting && Conditions.find(old, ConditionTypes.READY) == null;
        if (reason != null && !TOLD_BY_RESOLUTION.contains(reason) && !justCreated) {
            Action action = switch (reason) {
                case TemplateInvalid,
                        VariablesRejected,
                        RenderFailed,
                        ImageDenied,
                        ArgsNotAllowed,
                        InvalidInstanceName -> Action.Admit;
                case CreateFailed -> Action.Create;
                default -> Action.Observe;
            };
            decide(ready, action, decisions);
        }
        Condition upToDate = changed(old, after.getConditions(), ConditionTypes.UP_TO_DATE);
        if (upToDate != null && Conditions.FALSE.equals(upToDate.getStatus())) {
            decide(upToDate, Action.Compare, decisions);
        }
        return decisions;
    }

    private static Reason reasonOf(Condition c) {
        try {
            return Reason.valueOf(c.getReason());
        } catch (IllegalArgumentException | NullPointerException e) {
            return null; // not one of ours
        }
    }

    private static void decide(Condition c, Action action, List<Decision> decisions) {
        Reason reason = reasonOf(c);
        if (reason == null) {
            return;
        }
        boolean normal = reason.isProgress() || NORMAL.contains(reason) || Conditions.TRUE.equals(c.getStatus());
        decisions.add(new Decision(normal ? EventType.NORMAL : EventType.WARNING, reason, action, c.getMessage()));
    }

    /** The new condition of that type if its status or reason differs from before, else null. */
    private static Condition changed(List<Condition> before, List<Condition> after, String type) {
        Condition now = Conditions.find(after, type);
        if (now == null) {
            return null;
        }
        Condition was = Conditions.find(before, type);
        if (was != null
                && Objects.equals(was.getStatus(), now.getStatus())
                && Objects.equals(was.getReason(), now.getReason())) {
            return null;
        }
        return now;
    }
}
