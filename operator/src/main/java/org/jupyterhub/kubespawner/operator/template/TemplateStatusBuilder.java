package org.jupyterhub.kubespawner.operator.template;

import java.time.Instant;
import java.util.List;
import org.jupyterhub.kubespawner.operator.vocabulary.ConditionTypes;
import org.jupyterhub.kubespawner.operator.vocabulary.Conditions;
import org.jupyterhub.kubespawner.operator.vocabulary.Reason;
import org.jupyterhub.kubespawner.templating.CompiledTemplate;
import org.jupyterhub.kubespawner.templating.core.TemplateError;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplateStatus;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancetemplatestatus.Problems;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancetemplatestatus.ProblemsBuilder;

/** A template's status from its compiled form: the Valid condition and every problem. A pure function. */
public final class TemplateStatusBuilder {

    private TemplateStatusBuilder() {}

    /**
     * Computes the status.
     *
     * @param previous the current status, may be null
     * @param compiled the compiled template
     * @param generation the template's generation
     * @param now used only when Valid flips
     * @return the status to have
     */
    public static JupyterNotebookInstanceTemplateStatus build(
            JupyterNotebookInstanceTemplateStatus previous, CompiledTemplate compiled, long generation, Instant now) {
        List<TemplateError> errors = compiled.problems();
        List<Problems> problems = errors.stream()
                .map(e -> new ProblemsBuilder()
                        .withPath(e.path().isEmpty() && e.variable() != null ? "variables." + e.variable() : e.path())
                        .withMessage(e.message())
                        .build())
                .toList();
        JupyterNotebookInstanceTemplateStatus status = new JupyterNotebookInstanceTemplateStatus();
        status.setObservedGeneration(generation);
        status.setProblems(problems);
        status.setConditions(List.of(Conditions.next(
                previous == null ? null : previous.getConditions(),
                ConditionTypes.VALID,
                errors.isEmpty() ? Conditions.TRUE : Conditions.FALSE,
                errors.isEmpty() ? Reason.TemplateValid : Reason.TemplateInvalid,
                summary(errors),
                generation,
                now)));
        return status;
    }

    /**
     * One line listing every problem, for the condition and the Event.
     *
     * @param errors the problems
     * @return the summary
     */
    public static String summary(List<TemplateError> errors) {
        if (errors.isEmpty()) {
            return "the template has no problems";
        }
        StringBuilder s =
                new StringBuilder().append(errors.size()).append(errors.size() == 1 ? " problem: " : " problems: ");
        for (int i = 0; i < errors.size(); i++) {
            TemplateError e = errors.get(i);
            s.append(i == 0 ? "" : "; ")
                    .append(e.path().isEmpty() ? "" : e.path() + ": ")
                    .append(e.message());
        }
        return s.toString();
    }
}
