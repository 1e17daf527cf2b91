package org.jupyterhub.kubespawner.operator.instance;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvFromSourceBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jupyterhub.kubespawner.operator.ManagedLabels;
import org.jupyterhub.kubespawner.templating.NotebookServer;
import org.jupyterhub.kubespawner.templating.RenderedObject;
import org.jupyterhub.kubespawner.templating.RenderedObjects;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceSpec;

/**
 * Turns rendered objects into the exact objects to create for an instance: its namespace, the managed labels, owner
 * references (all but retained claims), and on the notebook container the instance's environment, its Secret (by
 * reference: the operator never reads it) and its args. A pure function.
 */
public final class DesiredStateAssembler {

    private DesiredStateAssembler() {}

    /**
     * Assembles the desired state.
     *
     * @param instance the instance (name, namespace, uid, spec)
     * @param rendered what its template rendered to, in creation order; completed in place
     * @param templateGeneration the template generation rendered
     * @param userIdentity the rendered policy.userIdentity, stamped on retained claims (empty: none)
     * @param adoptKubeSpawnerClaims the template's policy.adoptKubeSpawnerClaims
     * @return the objects in creation order
     */
    public static DesiredState assemble(
            JupyterNotebookInstance instance,
            RenderedObjects rendered,
            long templateGeneration,
            String userIdentity,
            boolean adoptKubeSpawnerClaims) {
        OwnerReference owner = ownerReference(instance);
        String ns = instance.getMetadata().getNamespace();
        String name = instance.getMetadata().getName();
        List<DesiredObject> objects = new ArrayList<>();
        NotebookServer notebook = rendered.notebook();
        // The rendered objects are fresh (each render makes new ones), so they are completed in place.
        for (RenderedObject object : rendered.objects()) {
            HasMetadata built = object.object();
            ObjectMeta meta = meta(built.getMetadata(), ns, name, object.retained() ? null : owner);
            if (object.retained() && !userIdentity.isEmpty()) {
                // The claim outlives the instance: this stamp is how a later instance proves it is the same user's.
                Map<String, String> annotations = meta.getAnnotations() == null
                        ? new LinkedHashMap<>()
                        : new LinkedHashMap<>(meta.getAnnotations());
                annotations.put(Ownership.USER_IDENTITY, userIdentity);
                meta.setAnnotations(annotations);
            }
            built.setMetadata(meta);
            if (built == notebook.pod()) {
                configureNotebookContainer(notebook.pod(), notebook.container(), instance.getSpec());
            }
            objects.add(new DesiredObject(built, object.retained()));
        }
        return new DesiredState(
                objects,
                notebook.podName(),
                notebook.container(),
                notebook.port(),
                templateGeneration,
                userIdentity,
                adoptKubeSpawnerClaims);
    }

    /**
     * The owner reference every owned object gets: the instance as controller, blocking its foreground deletion.
     *
     * @param instance the instance
     * @return the reference
     */
    public static OwnerReference ownerReference(JupyterNotebookInstance instance) {
        return new OwnerReferenceBuilder()
                .withApiVersion(
                        instance.getApiVersion() == null ? "kubespawner.jupyterhub.org/v1" : instance.getApiVersion())
                .withKind("JupyterNotebookInstance")
                .withName(instance.getMetadata().getName())
                .withUid(instance.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build();
    }

    private static ObjectMeta meta(ObjectMeta rendered, String namespace, String instanceName, OwnerReference owner) {
        ObjectMeta meta = new ObjectMeta();
        meta.setName(rendered.getName());
        meta.setNamespace(namespace);
        meta.setLabels(ManagedLabels.merge(rendered.getLabels(), instanceName));
        if (rendered.getAnnotations() != null && !rendered.getAnnotations().isEmpty()) {
            meta.setAnnotations(rendered.getAnnotations());
        }
        if (owner != null) {
            meta.setOwnerReferences(List.of(owner));
        }
        return meta;
    }

    private static void configureNotebookContainer(Pod pod, String containerName, JupyterNotebookInstanceSpec spec) {
        Container container = pod.getSpec().getContainers().stream()
                .filter(c -> c.getName().equals(containerName))
                .findFirst()
                .orElseThrow(() ->
                        new IllegalStateException("rendered notebook container " + containerName + " is missing"));
        Map<String, String> env = spec.getEnv();
        if (env != null && !env.isEmpty()) {
            List<EnvVar> vars = container.getEnv() == null ? new ArrayList<>() : new ArrayList<>(container.getEnv());
            // The template's own entries win, as KubeSpawner's admin-set environment wins over the hub's get_env().
            Set<String> fromTemplate = new HashSet<>();
            vars.forEach(v -> fromTemplate.add(v.getName()));
            env.forEach((k, v) -> {
                if (!fromTemplate.contains(k)) {
                    vars.add(new EnvVar(k, v, null));
                }
            });
            container.setEnv(vars);
        }
        if (spec.getEnvSecretRef() != null && spec.getEnvSecretRef().getName() != null) {
            List<EnvFromSource> from =
                    container.getEnvFrom() == null ? new ArrayList<>() : new ArrayList<>(container.getEnvFrom());
            from.add(new EnvFromSourceBuilder()
                    .withNewSecretRef(spec.getEnvSecretRef().getName(), false)
                    .build());
            container.setEnvFrom(from);
        }
        if (spec.getArgs() != null && !spec.getArgs().isEmpty()) {
            container.setArgs(new ArrayList<>(spec.getArgs()));
        }
    }

    /**
     * Whether an object carries an owner reference to the instance (used in tests and checks).
     *
     * @param object the object
     * @return true when owned
     */
    public static boolean isOwned(HasMetadata object) {
        return object.getMetadata().getOwnerReferences() != null
                && !object.getMetadata().getOwnerReferences().isEmpty();
    }
}
