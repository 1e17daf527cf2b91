package org.jupyterhub.kubespawner.operator;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The labels that mark every object this operator creates. The informer caches of secondary resources select on
 * {@link #MANAGED_BY}, so the operator's memory grows with what it manages, not with the cluster; the
 * {@link #INSTANCE} label maps an object back to its instance (retained claims have no owner reference).
 */
public final class ManagedLabels {

    /** The standard label naming the tool that manages an object. */
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    /** Its value on everything this operator creates. */
    public static final String MANAGED_BY_VALUE = "jupyter-notebook-operator";
    /** The name of the JupyterNotebookInstance an object belongs to (same namespace). */
    public static final String INSTANCE = "kubespawner.jupyterhub.org/instance";
    /** Label selector of the secondary-resource informers. */
    public static final String SELECTOR = MANAGED_BY + "=" + MANAGED_BY_VALUE;

    private ManagedLabels() {}

    /**
     * The template's labels plus the managed labels (which win on a clash, so the operator can always find its objects).
     *
     * @param templateLabels labels rendered from the template, may be null
     * @param instanceName the instance's name
     * @return a new mutable map
     */
    public static Map<String, String> merge(Map<String, String> templateLabels, String instanceName) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (templateLabels != null) {
            labels.putAll(templateLabels);
        }
        labels.put(MANAGED_BY, MANAGED_BY_VALUE);
        labels.put(INSTANCE, instanceName);
        return labels;
    }
}
