package org.jupyterhub.kubespawner.operator.access;

import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancetemplatespec.Policy;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancetemplatespec.policy.Access;

/**
 * A template that restricts access, compiled: its own rule and what happens when access ends.
 *
 * @param namespace the template's namespace
 * @param name the template's name
 * @param own the rule of its policy.access (it may name nobody: then only JupyterNotebookAccess objects grant)
 * @param whenAccessEnds the reaction when a running server's user loses access
 */
public record TemplateAccess(String namespace, String name, AccessGrant own, AccessReaction whenAccessEnds) {

    /**
     * Compiles a template's policy.access.
     *
     * @param template the template
     * @return the compiled rule, or null when the template is open to every user
     */
    public static TemplateAccess of(JupyterNotebookInstanceTemplate template) {
        Policy policy = template.getSpec() == null ? null : template.getSpec().getPolicy();
        Access access = policy == null ? null : policy.getAccess();
        if (access == null) {
            return null;
        }
        String ns = template.getMetadata().getNamespace();
        String name = template.getMetadata().getName();
        return new TemplateAccess(ns, name, AccessGrant.inline(ns, name, access), AccessReaction.of(access));
    }

    /** @return "template NS/NAME" */
    public String describe() {
        return "template " + namespace + "/" + name;
    }
}
