package org.jupyterhub.kubespawner.templating;

import java.util.Map;
import java.util.Set;

/**
 * The variables the operator supplies at render time. Every template may use them without declaring them; a
 * template cannot declare them and an instance cannot set them.
 */
public final class BuiltinVariables {

    /** {@code instance_name}: the JupyterNotebookInstance's metadata.name. */
    public static final String INSTANCE_NAME = "instance_name";
    /** {@code namespace}: the namespace of the instance, where everything is created. */
    public static final String NAMESPACE = "namespace";
    /** {@code template_name}: the JupyterNotebookInstanceTemplate's metadata.name. */
    public static final String TEMPLATE_NAME = "template_name";
    /** {@code template_namespace}: the template's namespace. */
    public static final String TEMPLATE_NAMESPACE = "template_namespace";

    /** All built-in names. */
    public static final Set<String> NAMES = Set.of(INSTANCE_NAME, NAMESPACE, TEMPLATE_NAME, TEMPLATE_NAMESPACE);

    private BuiltinVariables() {}

    /**
     * The built-in values for one render.
     *
     * @param instanceName the instance's name
     * @param namespace the instance's namespace
     * @param templateName the template's name
     * @param templateNamespace the template's namespace
     * @return an immutable map keyed by the built-in names
     */
    public static Map<String, String> of(
            String instanceName, String namespace, String templateName, String templateNamespace) {
        return Map.of(
                INSTANCE_NAME,
                instanceName,
                NAMESPACE,
                namespace,
                TEMPLATE_NAME,
                templateName,
                TEMPLATE_NAMESPACE,
                templateNamespace);
    }
}
