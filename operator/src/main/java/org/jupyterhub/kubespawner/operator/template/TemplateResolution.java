package org.jupyterhub.kubespawner.operator.template;

import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;

/** The outcome of looking up an instance's template. */
public sealed interface TemplateResolution {

    /**
     * The template exists and the instance may use it.
     *
     * @param template the template
     */
    record Resolved(JupyterNotebookInstanceTemplate template) implements TemplateResolution {}

    /**
     * No such template (it may still appear: instances are retried when templates change).
     *
     * @param namespace the template's namespace
     * @param name the template's name
     */
    record NotFound(String namespace, String name) implements TemplateResolution {
        /** @return a sentence for status and Events */
        public String message() {
            return "template " + namespace + "/" + name + " does not exist";
        }
    }

    /**
     * The template is in another namespace that does not allow this one.
     *
     * @param namespace the template's namespace
     * @param name the template's name
     * @param instanceNamespace the instance's namespace
     */
    record Forbidden(String namespace, String name, String instanceNamespace) implements TemplateResolution {
        /** @return a sentence for status and Events */
        public String message() {
            return "template " + namespace + "/" + name + " may not be used from namespace " + instanceNamespace
                    + ": its policy.allowedNamespaces does not list it";
        }
    }
}
