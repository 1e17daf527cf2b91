package org.jupyterhub.kubespawner.operator.instance;

import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jupyterhub.kubespawner.operator.access.AccessVerdict;
import org.jupyterhub.kubespawner.operator.template.TemplateResolution;
import org.jupyterhub.kubespawner.operator.vocabulary.ConditionTypes;
import org.jupyterhub.kubespawner.operator.vocabulary.Conditions;
import org.jupyterhub.kubespawner.operator.vocabulary.Reason;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus.Phase;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancestatus.Resources;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancestatus.ResourcesBuilder;

/**
 * The one place an instance's status is computed: phase, message, the four conditions (and AccessGranted for a
 * template that restricts access) and the notebook's address, from {@link InstanceFacts}. Deterministic: the same facts and previous status give an equal status (times are only
 * taken when a condition flips), so the reconciler writes status only when something really changed. The reasons it
 * chose travel beside the status as enums ({@link Result#reasons()}), for Events and metrics.
 */
public final class InstanceStatusAggregator {

    private final Duration progressTimeout;

    /** @param progressTimeout how long the notebook pod may take to become ready before the instance fails */
    public InstanceStatusAggregator(Duration progressTimeout) {
        this.progressTimeout = progressTimeout;
    }

    /**
     * The computed status, its reasons and when to look again.
     *
     * @param status the new status
     * @param reasons the reason of each condition, by condition type
     * @param recheckAfter when the progress timeout will expire if nothing else happens, or null
     */
    public record Result(JupyterNotebookInstanceStatus status, Map<String, Reason> reasons, Duration recheckAfter) {

        /**
         * Copies the map.
         *
         * @param status see {@link #status()}
         * @param reasons see {@link #reasons()}
         * @param recheckAfter see {@link #recheckAfter()}
         */
        public Result {
            reasons = Collections.unmodifiableMap(new LinkedHashMap<>(reasons));
        }

        /**
         * The reason of one condition.
         *
         * @param type the condition type
         * @return its reason, or null when the status has no such condition
         */
        public Reason reason(String type) {
            return reasons.get(type);
        }
    }

    /** Builds the conditions, keeping each one's enum reason. */
    static final class ConditionList {
        final List<Condition> conditions = new ArrayList<>(4);
        final Map<String, Reason> reasons = new LinkedHashMap<>(4);
        final List<Condition> old;
        private final long generation;
        private final Instant now;

        ConditionList(List<Condition> old, long generation, Instant now) {
            this.old = old;
            this.generation = generation;
            this.now = now;
        }

        void add(String type, String status, Reason reason, String message) {
            conditions.add(Conditions.next(old, type, status, reason, message, generation, now));
            reasons.put(type, reason);
        }
    }

    /**
     * Computes the status.
     *
     * @param previous the current status, may be null
     * @param facts what was found
     * @param now the current time (only used for transitions and the timeout)
     * @return the status to have
     */
    public Result aggregate(JupyterNotebookInstanceStatus previous, InstanceFacts facts, Instant now) {
        ConditionList c =
                new ConditionList(previous == null ? null : previous.getConditions(), facts.generation(), now);
        JupyterNotebookInstanceStatus status = new JupyterNotebookInstanceStatus();
        status.setObservedGeneration(facts.generation());
        resolved(facts.resolution(), c);
        Spawn spawn = facts.spawn();
        Duration recheck = null;
        if (facts.lifecycle().suspended()) {
            LifecycleStatus.suspended(facts, previous, c, status);
            upToDate(facts.resolution(), status.getTemplateGeneration(), c);
        } else {
            recheck = spawn == null ? notCreated(facts, c, status) : spawned(facts, spawn, c, status, now);
            LifecycleStatus.running(facts, c, status);
        }
        LifecycleStatus.deprecated(facts, c);
        access(facts.access(), spawn != null, facts.lifecycle().suspended(), c);
        if (facts.deleting()) {
            // Being deleted (the hub stops the server): the conditions stay as observed, the phase says so.
            status.setPhase(Phase.TERMINATING);
            status.setMessage("being deleted; its pods and services go first, retained claims stay");
            recheck = null;
        }
        status.setConditions(c.conditions);
        return new Result(status, c.reasons, recheck);
    }

    /**
     * AccessGranted, only when the template restricts access: granted, refused at the spawn, or ended since (a
     * suspended server was spawned: its access ended, whether that suspended it or it was suspended before).
     */
    private static void access(AccessVerdict verdict, boolean spawned, boolean suspended, ConditionList c) {
        if (verdict == null) {
            return;
        }
        String type = ConditionTypes.ACCESS_GRANTED;
        if (verdict instanceof AccessVerdict.Granted) {
            c.add(type, Conditions.TRUE, Reason.Granted, verdict.message());
        } else if (suspended) {
            c.add(
                    type,
                    Conditions.FALSE,
                    Reason.AccessEnded,
                    "access ended: " + verdict.message() + "; the server stays suspended and is not resumed while"
                            + " access is denied");
        } else if (!spawned) {
            boolean denied = verdict instanceof AccessVerdict.Denied;
            c.add(
                    type,
                    Conditions.FALSE,
                    denied ? Reason.AccessDenied : Reason.UserRejected,
                    denied ? "access denied: " + verdict.message() : verdict.message());
        } else {
            String then = switch (AccessReview.whenAccessEnds(verdict)) {
                case Delete -> "the server is deleted (policy.access.whenAccessEnds: Delete)";
                case Suspend -> "the server is suspended (policy.access.whenAccessEnds: Suspend)";
                case Keep -> "the server keeps running until it is stopped (policy.access.whenAccessEnds: Keep)";
            };
            c.add(type, Conditions.FALSE, Reason.AccessEnded, "access ended: " + verdict.message() + "; " + then);
        }
    }

    private static void resolved(TemplateResolution resolution, ConditionList c) {
        String type = ConditionTypes.TEMPLATE_RESOLVED;
        if (resolution instanceof TemplateResolution.Resolved r) {
            c.add(
                    type,
                    Conditions.TRUE,
                    Reason.TemplateFound,
                    "template " + r.template().getMetadata().getNamespace() + "/"
                            + r.template().getMetadata().getName() + " (generation "
                            + r.template().getMetadata().getGeneration() + ")");
        } else if (resolution instanceof TemplateResolution.NotFound n) {
            c.add(type, Conditions.FALSE, Reason.TemplateNotFound, n.message());
        } else if (resolution instanceof TemplateResolution.Forbidden f) {
            c.add(type, Conditions.FALSE, Reason.TemplateForbidden, f.message());
        }
    }

    /** Nothing (or not everything) exists: the instance waits, or waits for a fix (template, values, names). */
    private static Duration notCreated(InstanceFacts facts, ConditionList c, JupyterNotebookInstanceStatus status) {
        Reason why;
        String message;
        if (facts.resolution() instanceof TemplateResolution.NotFound n) {
            why = Reason.TemplateNotFound;
            message = n.message();
        } else if (facts.resolution() instanceof TemplateResolution.Forbidden f) {
            why = Reason.TemplateForbidden;
            message = f.message();
        } else if (facts.rejection() != null) {
            why = facts.rejection().reason();
            message = facts.rejection().summary();
        } else if (facts.waiting() != null) {
            why = facts.waiting().reason();
            message = facts.waiting().message();
            if (!facts.waiting().resources().isEmpty()) {
                status.setResources(facts.waiting().resources());
            }
        } else {
            why = Reason.NotCreated;
            message = "resources not created yet";
        }
        boolean waits = why == Reason.NotCreated || why.isProgress() || why == Reason.CreateRetrying;
        status.setPhase(waits ? Phase.PENDING : Phase.FAILED);
        status.setMessage(message);
        Reason created = switch (why) {
            case CreateFailed, CreateRetrying, NameConflict -> why;
            default -> Reason.NotCreated;
        };
        c.add(ConditionTypes.RESOURCES_CREATED, Conditions.FALSE, created, message);
        c.add(ConditionTypes.READY, Conditions.FALSE, why, message);
        c.add(ConditionTypes.UP_TO_DATE, Conditions.UNKNOWN, Reason.NotRendered, "nothing rendered yet");
        return null;
    }

    private Duration spawned(
            InstanceFacts facts, Spawn spawn, ConditionList c, JupyterNotebookInstanceStatus status, Instant now) {
        c.add(
                ConditionTypes.RESOURCES_CREATED,
                Conditions.TRUE,
                Reason.Created,
                spawn.resources().size() + " objects exist");
        status.setTemplateGeneration(spawn.templateGeneration());
        status.setPodName(spawn.podName());
        status.setPort(spawn.port());
        status.setRequests(spawn.requests().isEmpty() ? null : new java.util.TreeMap<>(spawn.requests()));

        Duration recheck = null;
        Phase phase;
        String message;
        Reason ready;
        String readyStatus = Conditions.FALSE;
        PodObservation pod = facts.notebookPod();
        // A ready pod whose address (spec.serverUrlFrom) is awaited waits like a starting one, timeout included.
        PodObservation shown = pod instanceof PodObservation.Ready && facts.address() instanceof ServerAddress.Awaited a
                ? new PodObservation.Starting(Reason.AddressPending, a.message())
                : pod;
        if (shown instanceof PodObservation.Ready r && facts.address() instanceof ServerAddress.Refused refused) {
            phase = Phase.FAILED;
            ready = Reason.AddressInvalid;
            message = refused.message();
            status.setPodIP(r.podIP());
        } else if (shown instanceof PodObservation.Ready r) {
            phase = Phase.READY;
            readyStatus = Conditions.TRUE;
            ready = Reason.PodReady;
            ServerUrl.Choice url = facts.address() instanceof ServerAddress.Reached reached
                    ? new ServerUrl.Choice(reached.url(), null)
                    : ServerUrl.of(facts.resolution(), spawn.podName(), r.podIP(), spawn.port());
            message =
                    "notebook server ready at " + url.url() + (url.problem() == null ? "" : " (" + url.problem() + ")");
            status.setPodIP(r.podIP());
            status.setUrl(url.url());
        } else if (shown instanceof PodObservation.Ended e) {
            phase = Phase.FAILED;
            ready = e.reason();
            message = e.detail();
        } else if (shown instanceof PodObservation.Starting s) {
            Instant started = facts.startedAt() == null ? now : facts.startedAt();
            Duration waited = Duration.between(started, now);
            if (waited.compareTo(progressTimeout) >= 0) {
                phase = Phase.FAILED;
                ready = s.blocker().isProgress() ? Reason.ProgressDeadlineExceeded : s.blocker();
                message = "not ready after " + progressTimeout.toSeconds() + "s (progress timeout): " + s.detail();
            } else {
                phase = Phase.PROVISIONING;
                ready = s.blocker();
                message = "waiting for the notebook server: " + s.detail();
                recheck = progressTimeout.minus(waited).plusSeconds(1);
            }
        } else {
            phase = Phase.FAILED;
            ready = Reason.PodDeleted;
            message = "notebook pod " + spawn.podName() + " was deleted; delete the instance and start again";
        }
        c.add(ConditionTypes.READY, readyStatus, ready, message);
        upToDate(facts.resolution(), spawn.templateGeneration(), c);
        status.setPhase(phase);
        status.setMessage(message);
        status.setResources(resources(spawn, pod));
        return recheck;
    }

    private static void upToDate(TemplateResolution resolution, Long rendered, ConditionList c) {
        if (rendered == null) {
            c.add(ConditionTypes.UP_TO_DATE, Conditions.UNKNOWN, Reason.NotRendered, "nothing rendered yet");
        } else if (resolution instanceof TemplateResolution.Resolved r) {
            long current = r.template().getMetadata().getGeneration() == null
                    ? 0
                    : r.template().getMetadata().getGeneration();
            boolean same = current == rendered;
            c.add(
                    ConditionTypes.UP_TO_DATE,
                    same ? Conditions.TRUE : Conditions.FALSE,
                    same ? Reason.TemplateUnchanged : Reason.TemplateChanged,
                    same
                            ? "rendered from the template's current generation " + current
                            : "template changed (generation " + rendered + " -> " + current
                                    + ") since the resources were rendered; the change applies at the next start");
        } else {
            c.add(
                    ConditionTypes.UP_TO_DATE,
                    Conditions.FALSE,
                    Reason.TemplateDeleted,
                    "the template is gone or no longer usable; the running server is left as it is");
        }
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
