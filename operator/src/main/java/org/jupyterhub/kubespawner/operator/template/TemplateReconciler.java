package org.jupyterhub.kubespawner.operator.template;

import io.fabric8.kubernetes.api.model.Condition;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.jupyterhub.kubespawner.events.EventRecorder;
import org.jupyterhub.kubespawner.events.EventType;
import org.jupyterhub.kubespawner.operator.OperatorMetrics;
import org.jupyterhub.kubespawner.operator.StatusPatch;
import org.jupyterhub.kubespawner.operator.access.AccessGrant;
import org.jupyterhub.kubespawner.operator.access.AccessIndex;
import org.jupyterhub.kubespawner.operator.access.AccessRules;
import org.jupyterhub.kubespawner.operator.access.AccessSource;
import org.jupyterhub.kubespawner.operator.access.TemplateAccess;
import org.jupyterhub.kubespawner.operator.vocabulary.Action;
import org.jupyterhub.kubespawner.operator.vocabulary.ConditionTypes;
import org.jupyterhub.kubespawner.operator.vocabulary.Conditions;
import org.jupyterhub.kubespawner.operator.vocabulary.Reason;
import org.jupyterhub.kubespawner.templating.CompiledTemplate;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplateStatus;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancetemplatestatus.Access;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks templates when they are applied or changed, so an admin sees a broken template before any user spawns from
 * it: the Valid condition and status.problems, and an Event when validity changes. For a template that restricts
 * access, publishes who may use it now (status.access, from {@link AccessRules#publish}): again whenever a
 * JupyterNotebookAccess naming it changes, and when a rule's window opens or closes.
 */
@ControllerConfiguration(name = TemplateReconciler.NAME, triggerReconcilerOnAllEvents = true)
public final class TemplateReconciler implements Reconciler<JupyterNotebookInstanceTemplate> {

    /** The controller's name. */
    public static final String NAME = "jupyternotebookinstancetemplate";

    private static final Logger LOG = LoggerFactory.getLogger(TemplateReconciler.class);
    /** Informers list in pages of this many objects (as the instance reconciler's). */
    private static final long LIST_PAGE_SIZE = 500;
    /** A window that opened or closed is published this long after, so the clock never reads "not yet". */
    private static final Duration AFTER_CHANGE = Duration.ofMillis(500);

    private final AccessIndex access = new AccessIndex();
    private final EventRecorder events;
    private final CompiledTemplates templates;
    private final OperatorMetrics metrics;
    private final Clock clock;

    /**
     * @param events the Event recorder
     * @param templates compiled templates, shared with the instance reconciler
     * @param metrics the operator's metrics
     * @param clock the clock
     */
    public TemplateReconciler(EventRecorder events, CompiledTemplates templates, OperatorMetrics metrics, Clock clock) {
        this.events = events;
        this.templates = templates;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public List<EventSource<?, JupyterNotebookInstanceTemplate>> prepareEventSources(
            EventSourceContext<JupyterNotebookInstanceTemplate> context) {
        return List.of(AccessSource.create(
                JupyterNotebookInstanceTemplate.class,
                context,
                access,
                LIST_PAGE_SIZE,
                (namespace, name) -> AccessGrant.ANY.equals(name)
                        ? context.getPrimaryCache()
                                .list(namespace, t -> true)
                                .map(ResourceID::fromResource)
                                .collect(Collectors.toSet())
                        : Set.of(new ResourceID(name, namespace))));
    }

    @Override
    public UpdateControl<JupyterNotebookInstanceTemplate> reconcile(
            JupyterNotebookInstanceTemplate template, Context<JupyterNotebookInstanceTemplate> context) {
        if (context.isPrimaryResourceDeleted()) {
            templates.forget(template.getMetadata().getUid()); // compiled form of a deleted template: free it
            access.forgetTemplate(template.getMetadata().getUid());
            return UpdateControl.noUpdate();
        }
        Instant now = clock.instant();
        Access published = published(template, now);
        UpdateControl<JupyterNotebookInstanceTemplate> control = validate(template, published, now);
        if (published != null && published.getNextChange() != null) {
            Duration until = Duration.between(now, Instant.parse(published.getNextChange()));
            control = control.rescheduleAfter(until.isNegative() ? AFTER_CHANGE : until.plus(AFTER_CHANGE));
        }
        return control;
    }

    /** Who may use the template now, or null when it restricts nothing. */
    private Access published(JupyterNotebookInstanceTemplate template, Instant now) {
        TemplateAccess restricted = access.templateAccess(template);
        return restricted == null
                ? null
                : AccessRules.publish(restricted, access.rulesFor(restricted.namespace(), restricted.name()), now);
    }

    private UpdateControl<JupyterNotebookInstanceTemplate> validate(
            JupyterNotebookInstanceTemplate template, Access published, Instant now) {
        CompiledTemplate compiled = templates.get(template);
        long generation = template.getMetadata().getGeneration() == null
                ? 0
                : template.getMetadata().getGeneration();
        JupyterNotebookInstanceTemplateStatus previous = template.getStatus();
        JupyterNotebookInstanceTemplateStatus next = TemplateStatusBuilder.build(previous, compiled, generation, now);
        next.setAccess(published);
        if (Objects.equals(previous, next)) {
            return UpdateControl.noUpdate();
        }
        Condition was = previous == null ? null : Conditions.find(previous.getConditions(), ConditionTypes.VALID);
        Condition valid = Conditions.find(next.getConditions(), ConditionTypes.VALID);
        if (was == null
                || !Objects.equals(was.getStatus(), valid.getStatus())
                || !Objects.equals(was.getMessage(), valid.getMessage())) {
            boolean isValid = compiled.isValid();
            events.record(
                    template,
                    isValid ? EventType.NORMAL : EventType.WARNING,
                    isValid ? Reason.TemplateValid : Reason.TemplateInvalid,
                    Action.Validate,
                    valid.getMessage());
            if (!isValid) {
                metrics.failed("template", Reason.TemplateInvalid);
                LOG.warn("template is invalid: {}", valid.getMessage());
            } else {
                LOG.info("template is valid (generation {})", generation);
            }
        }
        template.setStatus(next);
        return UpdateControl.patchStatus(StatusPatch.unlocked(template));
    }
}
