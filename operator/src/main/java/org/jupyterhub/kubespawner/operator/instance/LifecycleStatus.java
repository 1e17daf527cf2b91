package org.jupyterhub.kubespawner.operator.instance;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.jupyterhub.kubespawner.operator.vocabulary.ConditionTypes;
import org.jupyterhub.kubespawner.operator.vocabulary.Conditions;
import org.jupyterhub.kubespawner.operator.vocabulary.Reason;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus.Phase;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancestatus.Resources;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancestatus.ResourcesBuilder;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancestatus.Suspension;

/**
 * The lifecycle part of an instance's status, for {@link InstanceStatusAggregator} (the one place status is
 * computed): phase Suspended and its conditions, the Suspended condition after a resume, the lifetime fields
 * (lastActivity, idleSince, stopAt) with the ActivityKnown condition, and the Deprecated condition. Pure; no field it
 * writes holds a time that changes while nothing changes.
 */
final class LifecycleStatus {

    private LifecycleStatus() {}

    /** A suspended server: what was created stays recorded, its pods (and services) marked Deleted. */
    static void suspended(
            InstanceFacts facts,
            JupyterNotebookInstanceStatus previous,
            InstanceStatusAggregator.ConditionList c,
            JupyterNotebookInstanceStatus status) {
        InstanceFacts.LifecycleFacts l = facts.lifecycle();
        Suspension s = l.suspension();
        String message = "suspended"
                + (s.getSince() == null ? "" : " since " + s.getSince().toInstant()) + ": "
                + s.getMessage() + "; claims are kept"
                + (l.going() > 0 ? "; " + l.going() + " object(s) still being deleted" : "")
                + "; starting the server again resumes it";
        c.add(
                ConditionTypes.RESOURCES_CREATED,
                Conditions.FALSE,
                Reason.Suspended,
                "the server's pods" + (l.servicesDeleted() ? " and services" : "")
                        + " are deleted while it is suspended; its claims and network policies are kept");
        c.add(ConditionTypes.READY, Conditions.FALSE, Reason.Suspended, message);
        c.add(ConditionTypes.SUSPENDED, Conditions.TRUE, SuspendState.reason(s), s.getMessage());
        status.setPhase(Phase.SUSPENDED);
        status.setMessage(message);
        status.setSuspension(s);
        if (previous != null) {
            status.setTemplateGeneration(previous.getTemplateGeneration());
            status.setPodName(previous.getPodName());
            status.setPort(previous.getPort());
            status.setResources(deleted(previous.getResources(), l.servicesDeleted()));
        }
    }

    /** A server that runs or is being started: a resume under way, the end of a suspension, the lifetime. */
    static void running(
            InstanceFacts facts, InstanceStatusAggregator.ConditionList c, JupyterNotebookInstanceStatus status) {
        InstanceFacts.LifecycleFacts l = facts.lifecycle();
        Suspension s = l.suspension();
        if (s != null) {
            // Kept until every object exists again, with the rendering a queued or refused resume still needs.
            status.setSuspension(s);
            c.add(ConditionTypes.SUSPENDED, Conditions.TRUE, SuspendState.reason(s), "resuming: " + s.getMessage());
        } else if (Conditions.find(c.old, ConditionTypes.SUSPENDED) != null) {
            c.add(
                    ConditionTypes.SUSPENDED,
                    Conditions.FALSE,
                    Reason.Resumed,
                    facts.spawn() == null
                            ? "resumed"
                            : "resumed from template generation "
                                    + facts.spawn().templateGeneration());
        }
        LifetimeLimits.Lifetime t = l.lifetime();
        if (t != null) {
            status.setLastActivity(t.lastActivity());
            status.setIdleSince(t.idleSince());
            status.setStopAt(t.stopAt());
            status.setStopReason(t.stopReason());
            if (t.activityKnown() != null) {
                c.add(
                        ConditionTypes.ACTIVITY_KNOWN,
                        t.activityKnown().status(),
                        t.activityKnown().reason(),
                        t.activityKnown().message());
            }
        }
    }

    /** The Deprecated condition, only when something is. */
    static void deprecated(InstanceFacts facts, InstanceStatusAggregator.ConditionList c) {
        List<Deprecations.Notice> notices = facts.lifecycle().deprecations();
        if (!notices.isEmpty()) {
            c.add(
                    ConditionTypes.DEPRECATED,
                    Conditions.TRUE,
                    notices.get(0).reason(),
                    notices.stream().map(Deprecations.Notice::message).collect(Collectors.joining("; ")));
        }
    }

    private static List<Resources> deleted(List<Resources> before, boolean services) {
        if (before == null) {
            return null;
        }
        List<Resources> after = new ArrayList<>(before.size());
        for (Resources r : before) {
            boolean gone = "Pod".equals(r.getKind()) || (services && "Service".equals(r.getKind()));
            after.add(
                    gone
                            ? new ResourcesBuilder(r)
                                    .withState("Deleted")
                                    .withMessage(null)
                                    .build()
                            : r);
        }
        return after;
    }
}
