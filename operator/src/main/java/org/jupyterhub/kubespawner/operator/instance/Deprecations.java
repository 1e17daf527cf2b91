package org.jupyterhub.kubespawner.operator.instance;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jupyterhub.kubespawner.operator.vocabulary.Reason;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;
import org.jupyterhub.kubespawner.v1.TemplateVariable;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancetemplatespec.DeprecatedValues;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancetemplatespec.Deprecation;

/**
 * What is deprecated about an instance: its template ({@code spec.deprecation}) and the values it uses (a value set
 * by the instance, or a variable's default it did not override, listed in {@code spec.deprecatedValues}). A pure
 * function.
 */
final class Deprecations {

    /**
     * One deprecation.
     *
     * @param reason TemplateDeprecated or ValueDeprecated
     * @param message what it is, the admin's message and the replacement
     * @param refuse whether new spawns are refused (action Refuse)
     */
    record Notice(Reason reason, String message, boolean refuse) {}

    private Deprecations() {}

    /**
     * The deprecations that apply to an instance.
     *
     * @param template its template, may be null
     * @param instance the instance
     * @return the notices, the template's first
     */
    static List<Notice> of(JupyterNotebookInstanceTemplate template, JupyterNotebookInstance instance) {
        if (template == null || template.getSpec() == null) {
            return List.of();
        }
        List<Notice> notices = new ArrayList<>(1);
        Deprecation d = template.getSpec().getDeprecation();
        if (d != null) {
            notices.add(new Notice(
                    Reason.TemplateDeprecated,
                    "template " + template.getMetadata().getName() + " is deprecated: " + d.getMessage()
                            + (d.getReplacement() == null ? "" : " (use template " + d.getReplacement() + " instead)"),
                    d.getAction() == Deprecation.Action.REFUSE));
        }
        List<DeprecatedValues> values = template.getSpec().getDeprecatedValues();
        if (values != null) {
            Map<String, String> set = instance.getSpec().getVariables() == null
                    ? Map.of()
                    : instance.getSpec().getVariables();
            for (DeprecatedValues v : values) {
                String value = set.containsKey(v.getVariable()) ? set.get(v.getVariable()) : defaultOf(template, v);
                if (v.getValue().equals(value)) {
                    notices.add(new Notice(
                            Reason.ValueDeprecated,
                            "variable " + v.getVariable() + ": '" + v.getValue() + "' is deprecated: " + v.getMessage()
                                    + (v.getReplacement() == null
                                            ? ""
                                            : " (choose '" + v.getReplacement() + "' instead)"),
                            v.getAction() == DeprecatedValues.Action.REFUSE));
                }
            }
        }
        return notices;
    }

    /**
     * Why a new spawn is refused, or null when it is not.
     *
     * @param notices the deprecations
     * @return the rejection of every refusing notice
     */
    static Rejection refusal(List<Notice> notices) {
        List<String> messages = new ArrayList<>();
        Reason first = null;
        for (Notice n : notices) {
            if (n.refuse()) {
                first = first == null ? n.reason() : first;
                messages.add(n.message() + "; new servers may not use it");
            }
        }
        return first == null ? null : new Rejection(first, messages);
    }

    private static String defaultOf(JupyterNotebookInstanceTemplate template, DeprecatedValues v) {
        if (template.getSpec().getVariables() == null) {
            return null;
        }
        for (TemplateVariable variable : template.getSpec().getVariables()) {
            if (v.getVariable().equals(variable.getName())) {
                return variable.getDefaultValue();
            }
        }
        return null;
    }
}
