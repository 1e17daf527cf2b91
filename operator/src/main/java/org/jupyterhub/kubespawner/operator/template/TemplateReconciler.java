package org.jupyterhub.kubespawner.operator.template;

import io.fabric8.kubernetes.api.model.Condition;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Clock;
import java.util.Objects;
import org.jupyterhub.kubespawner.events.EventRecorder;
import org.jupyterhub.kubespawner.events.EventType;
import org.jupyterhub.kubespawner.operator.OperatorMetrics;
import org.jupyterhub.kubespawner.operator.StatusPatch;
import org.jupyterhub.kubespawner.operator.vocabulary.Action;
import org.jupyterhub.kubespawner.operator.vocabulary.ConditionTypes;
import org.jupyterhub.kubespawner.operator.vocabulary.Conditions;
import org.jupyterhub.kubespawner.operator.vocabulary.Reason;
import org.jupyterhub.kubespawner.templating.CompiledTemplate;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplateStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks templates when they are applied or changed, so an admin sees a broken template before any user spawns from
 * it: the Valid condition and status.problems, and an Event when validity changes.
 */
@ControllerConfiguration(name = TemplateReconciler.NAME, triggerReconcilerOnAllEvents = true)
public final class TemplateReconciler implements Reconciler<JupyterNotebookInstanceTemplate> {

    /** The controller's name. */
    public static final String NAME = "jupyternotebookinstancetemplate";

    private static final Logger LOG = LoggerFactory.getLogger(TemplateReconciler.class);

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
    public UpdateControl<JupyterNotebookInstanceTemplate> reconcile(
            JupyterNotebookInstanceTemplate template, Context<JupyterNotebookInstanceTemplate> context) {
        if (context.isPrimaryResourceDeleted()) {
            templates.forget(template.getMetadata().getUid()); // compiled form of a deleted template: free it
            return UpdateControl.noUpdate();
        }
        CompiledTemplate compiled = templates.get(template);
        long generation = template.getMetadata().getGeneration() == null
                ? 0
                : template.getMetadata().getGeneration();
        JupyterNotebookInstanceTemplateStatus previous = template.getStatus();
        JupyterNotebookInstanceTemplateStatus next =
                TemplateStatusBuilder.build(previous, compiled, generation, clock.instant());
        if (Objects.equals(previous, next)) {
            return UpdateControl.noUpdate();
        }
        Condition was = previous == null ? null : Conditions.find(previous.getConditions(), ConditionTypes.VALID);
        Condition now = Conditions.find(next.getConditions(), ConditionTypes.VALID);
        if (was == null
                || !Objects.equals(was.getStatus(), now.getStatus())
                || !Objects.equals(was.getMessage(), now.getMessage())) {
            boolean valid = compiled.isValid();
            events.record(
                    template,
                    valid ? EventType.NORMAL : EventType.WARNING,
                    valid ? Reason.TemplateValid : Reason.TemplateInvalid,
                    Action.Validate,
                    now.getMessage());
            if (!valid) {
                metrics.failed("template", Reason.TemplateInvalid);
                LOG.warn("template is invalid: {}", now.getMessage());
            } else {
                LOG.info("template is valid (generation {})", generation);
            }
        }
        template.setStatus(next);
        return UpdateControl.patchStatus(StatusPatch.unlocked(template));
    }
}
