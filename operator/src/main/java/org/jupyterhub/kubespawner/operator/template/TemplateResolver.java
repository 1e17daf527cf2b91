package org.jupyterhub.kubespawner.operator.template;

import java.util.List;
import java.util.function.BiFunction;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancespec.Template;

/** Finds an instance's template and applies the template's namespace policy. */
public final class TemplateResolver {

    private final BiFunction<String, String, JupyterNotebookInstanceTemplate> lookup;

    /**
     * @param lookup finds a template by (namespace, name), null when absent (in the operator: the informer cache)
     */
    public TemplateResolver(BiFunction<String, String, JupyterNotebookInstanceTemplate> lookup) {
        this.lookup = lookup;
    }

    /**
     * The namespace an instance's template lives in.
     *
     * @param instance the instance
     * @return spec.template.namespace, or the instance's own namespace when unset
     */
    public static String templateNamespace(JupyterNotebookInstance instance) {
        Template ref = instance.getSpec().getTemplate();
        String ns = ref.getNamespace();
        return ns == null || ns.isEmpty() ? instance.getMetadata().getNamespace() : ns;
    }

    /**
     * Resolves the instance's template.
     *
     * @param instance the instance
     * @return resolved, not found, or forbidden
     */
    public TemplateResolution resolve(JupyterNotebookInstance instance) {
        String ns = templateNamespace(instance);
        String name = instance.getSpec().getTemplate().getName();
        JupyterNotebookInstanceTemplate template = lookup.apply(ns, name);
        if (template == null) {
            return new TemplateResolution.NotFound(ns, name);
        }
        String instanceNs = instance.getMetadata().getNamespace();
        if (!ns.equals(instanceNs) && !allows(template, instanceNs)) {
            return new TemplateResolution.Forbidden(ns, name, instanceNs);
        }
        return new TemplateResolution.Resolved(template);
    }

    private static boolean allows(JupyterNotebookInstanceTemplate template, String namespace) {
        if (template.getSpec() == null || template.getSpec().getPolicy() == null) {
            return false;
        }
        List<String> allowed = template.getSpec().getPolicy().getAllowedNamespaces();
        return allowed != null && (allowed.contains("*") || allowed.contains(namespace));
    }
}
