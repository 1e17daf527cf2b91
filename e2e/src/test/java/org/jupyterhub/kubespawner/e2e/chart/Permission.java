package org.jupyterhub.kubespawner.e2e.chart;

/**
 * One row of the permission matrix: a verb on a resource (optionally a subresource or one named object).
 *
 * @param verb the verb, e.g. {@code create}
 * @param group the API group ("" for core)
 * @param resource the plural resource, e.g. {@code pods}
 * @param subresource the subresource, e.g. {@code exec}, or "" for none
 * @param name one object's name (for rules narrowed by resourceNames), or "" for any
 */
record Permission(String verb, String group, String resource, String subresource, String name) {

    static Permission of(String verb, String groupResource) {
        // "pods/exec", "events.events.k8s.io", "leases.coordination.k8s.io/name=x"
        String name = "";
        String gr = groupResource;
        if (gr.contains("/name=")) {
            name = gr.substring(gr.indexOf("/name=") + 6);
            gr = gr.substring(0, gr.indexOf("/name="));
        }
        String sub = "";
        if (gr.contains("/")) {
            sub = gr.substring(gr.indexOf('/') + 1);
            gr = gr.substring(0, gr.indexOf('/'));
        }
        int dot = gr.indexOf('.');
        String resource = dot < 0 ? gr : gr.substring(0, dot);
        String group = dot < 0 ? "" : gr.substring(dot + 1);
        return new Permission(verb, group, resource, sub, name);
    }

    /** The resource as kubectl writes it, e.g. {@code jupyternotebookinstances.kubespawner.jupyterhub.org/status}. */
    String target() {
        return resource
                + (group.isEmpty() ? "" : "." + group)
                + (subresource.isEmpty() ? "" : "/" + subresource)
                + (name.isEmpty() ? "" : " (name " + name + ")");
    }

    @Override
    public String toString() {
        return verb + " " + target();
    }
}
