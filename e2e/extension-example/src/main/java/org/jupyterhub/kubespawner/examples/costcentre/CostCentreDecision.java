package org.jupyterhub.kubespawner.examples.costcentre;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jupyterhub.kubespawner.templating.core.TemplateError;
import org.jupyterhub.kubespawner.templating.core.TemplateText;
import org.jupyterhub.kubespawner.templating.core.VariableDeclaration;
import org.jupyterhub.kubespawner.templating.core.Variables;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus;

/**
 * What the cost-centre extension decides about one instance, as a pure function of the instance.
 *
 * <p>The property is untrusted input: whoever may create instances (the hub, on behalf of any user) sets it, and the
 * notebook operator passes it through unchecked. So its value is checked here with the rules engine of the
 * templating library (the same pattern / maxLength rules templates declare for their variables), and the note is
 * rendered with its placeholder engine, which inserts values verbatim and never expands them again.
 */
public sealed interface CostCentreDecision {

    /** The extension property this example reads. */
    String PROPERTY = "example.org/cost-centre";

    /** No property: not this extension's business. */
    record Ignore() implements CostCentreDecision {}

    /** The instance has a property but is not Ready yet: nothing to charge so far. */
    record Wait() implements CostCentreDecision {}

    /**
     * Charge the running server to the cost centre.
     *
     * @param costCentre the checked value
     * @param note the Event's note
     */
    record Charge(String costCentre, String note) implements CostCentreDecision {}

    /**
     * The property's value breaks the rules: nothing is charged.
     *
     * @param note the Event's note, listing every problem
     */
    record Reject(String note) implements CostCentreDecision {}

    /** Two capital letters, a dash and four digits, e.g. {@code RS-0042}. */
    VariableDeclaration RULE = new VariableDeclaration(
            "cost_centre", "the cost centre to charge", null, true, "[A-Z]{2}-[0-9]{4}", 7, null);

    /**
     * Decides what to do about an instance.
     *
     * @param instance the instance as the API server has it
     * @return the decision
     */
    static CostCentreDecision of(JupyterNotebookInstance instance) {
        Map<String, String> properties = instance.getSpec().getProperties();
        String value = properties == null ? null : properties.get(PROPERTY);
        if (value == null) {
            return new Ignore();
        }
        Variables rules = Variables.compile(List.of(RULE), Set.of("instance_name", "namespace"), "spec.properties");
        List<TemplateError> errors = new ArrayList<>();
        Map<String, String> values = rules.resolve(
                Map.of("cost_centre", value),
                Map.of(
                        "instance_name", instance.getMetadata().getName(),
                        "namespace", instance.getMetadata().getNamespace()),
                errors);
        if (!errors.isEmpty()) {
            return new Reject("property " + PROPERTY + " rejected: "
                    + errors.stream().map(TemplateError::message).toList());
        }
        JupyterNotebookInstanceStatus status = instance.getStatus();
        if (status == null || status.getPhase() != JupyterNotebookInstanceStatus.Phase.READY) {
            return new Wait();
        }
        return new Charge(value, Notes.CHARGED.render(values));
    }

    /** The notes, compiled once. */
    final class Notes {
        static final TemplateText CHARGED =
                TemplateText.parse("notebook server {instance_name} in {namespace} is charged to {cost_centre}");

        private Notes() {}
    }
}
