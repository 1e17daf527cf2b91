package org.jupyterhub.kubespawner.operator.instance;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jupyterhub.kubespawner.operator.vocabulary.Reason;
import org.jupyterhub.kubespawner.templating.AllowlistedKinds;
import org.jupyterhub.kubespawner.templating.ImagePolicy;
import org.jupyterhub.kubespawner.templating.ObjectKind;
import org.jupyterhub.kubespawner.templating.Readiness;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancestatus.suspension.Rendering;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancestatus.suspension.RenderingBuilder;

/**
 * The rendering a suspended server keeps in status, so that a resume starts the server the user had even when the
 * template changed meanwhile ({@code policy.lifecycle.resume: SameGeneration}): the exact objects of the spawn, as
 * the operator rendered them. Status is the operator's alone to write, so what is read back is what was written;
 * it is still checked against the template's current images before anything is created from it.
 *
 * <p>Extra objects of the built-in allowlisted kinds are kept too, each with its readiness rule (in an annotation of
 * the kept copy only, removed again on resume). A spawn with a Secret keeps no rendering (its content would be in
 * status, which the hub reads), and one with a custom resource is not resumed from it (its pod spec's images could
 * not be checked again here): both resume from the template's current generation.
 */
final class KeptRendering {

    /** A rendering larger than this is not kept (the resume renders the current generation). */
    static final int MAX_BYTES = 256 * 1024;

    private static final KubernetesSerialization JSON = new KubernetesSerialization();
    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "Pod", Pod.class,
            "PersistentVolumeClaim", PersistentVolumeClaim.class,
            "Service", Service.class,
            "NetworkPolicy", NetworkPolicy.class);

    /** On a kept copy only: the object's readiness rule, as JSON. */
    static final String READINESS = "kubespawner.jupyterhub.org/kept-readiness";

    private KeptRendering() {}

    /**
     * The rendering to keep.
     *
     * @param desired what the spawn rendered
     * @return the rendering, or null when it is too large to keep in status
     */
    static Rendering keep(DesiredState desired) {
        List<GenericKubernetesResource> objects =
                new ArrayList<>(desired.objects().size());
        for (DesiredObject o : desired.objects()) {
            if (o.object() instanceof Secret) {
                return null;
            }
            GenericKubernetesResource copy = JSON.convertValue(o.object(), GenericKubernetesResource.class);
            if (o.readiness() != null) {
                Map<String, String> annotations = copy.getMetadata().getAnnotations() == null
                        ? new LinkedHashMap<>()
                        : new LinkedHashMap<>(copy.getMetadata().getAnnotations());
                annotations.put(READINESS, JSON.asJson(o.readiness()));
                copy.getMetadata().setAnnotations(annotations);
            }
            objects.add(copy);
        }
        Rendering rendering = new RenderingBuilder()
                .withTemplateGeneration(desired.templateGeneration())
                .withNotebookPod(desired.notebookPod())
                .withNotebookContainer(desired.notebookContainer())
                .withNotebookPort(desired.notebookPort())
                .withUserIdentity(desired.userIdentity())
                .withObjects(objects)
                .build();
        return JSON.asJson(rendering).length() > MAX_BYTES ? null : rendering;
    }

    /**
     * The desired state a kept rendering stands for.
     *
     * @param rendering the rendering
     * @param adoptKubeSpawnerClaims the template's current policy.adoptKubeSpawnerClaims
     * @return the desired state, or null when the rendering holds something it cannot have come from
     */
    static DesiredState desired(Rendering rendering, boolean adoptKubeSpawnerClaims) {
        List<DesiredObject> objects = new ArrayList<>();
        for (GenericKubernetesResource o :
                rendering.getObjects() == null ? List.<GenericKubernetesResource>of() : rendering.getObjects()) {
            Class<? extends HasMetadata> type = type(o);
            if (type == null || o.getMetadata() == null) {
                return null;
            }
            HasMetadata typed = JSON.convertValue(o, type);
            Readiness readiness = takeReadiness(typed.getMetadata());
            // Only retained objects (claims, extra objects with whenDeleted: Retain) were rendered without an owner.
            boolean ownerless = typed.getMetadata().getOwnerReferences() == null
                    || typed.getMetadata().getOwnerReferences().isEmpty();
            objects.add(new DesiredObject(typed, ownerless, readiness));
        }
        return new DesiredState(
                objects,
                rendering.getNotebookPod(),
                rendering.getNotebookContainer(),
                rendering.getNotebookPort() == null ? 8888 : rendering.getNotebookPort(),
                rendering.getTemplateGeneration(),
                rendering.getUserIdentity() == null ? "" : rendering.getUserIdentity(),
                adoptKubeSpawnerClaims);
    }

    /** The class a kept object is read back as: the spawn's own kinds, or a built-in extra kind but Secret. */
    private static Class<? extends HasMetadata> type(GenericKubernetesResource o) {
        Class<? extends HasMetadata> type = KINDS.get(o.getKind());
        if (type != null) {
            return type;
        }
        for (ObjectKind<?> row : AllowlistedKinds.BUILT_IN) {
            if (row.kind().equals(o.getKind()) && row.apiVersion().equals(o.getApiVersion())) {
                return row.type() == Secret.class ? null : row.type();
            }
        }
        return null;
    }

    /** Removes the kept readiness annotation from a fresh copy and returns its rule. */
    private static Readiness takeReadiness(ObjectMeta meta) {
        if (meta.getAnnotations() == null || !meta.getAnnotations().containsKey(READINESS)) {
            return null;
        }
        Map<String, String> annotations = new LinkedHashMap<>(meta.getAnnotations());
        Readiness readiness = JSON.unmarshal(annotations.remove(READINESS), Readiness.class);
        meta.setAnnotations(annotations);
        return readiness;
    }

    /**
     * Checks a kept rendering against the template's current policy: every image must still be allowed.
     *
     * @param desired the kept rendering
     * @param template the template now
     * @return why it may not be used, or null
     */
    static Rejection check(DesiredState desired, JupyterNotebookInstanceTemplate template) {
        ImagePolicy images = ImagePolicy.of(template.getSpec().getPolicy().getAllowedImages());
        List<String> problems = new ArrayList<>();
        for (DesiredObject o : desired.objects()) {
            if (o.object() instanceof Pod pod && pod.getSpec() != null) {
                Stream.concat(
                                pod.getSpec().getInitContainers() == null
                                        ? Stream.<Container>empty()
                                        : pod.getSpec().getInitContainers().stream(),
                                pod.getSpec().getContainers() == null
                                        ? Stream.<Container>empty()
                                        : pod.getSpec().getContainers().stream())
                        .filter(c -> c.getImage() == null || !images.allows(c.getImage()))
                        .forEach(c -> problems.add("pod " + pod.getMetadata().getName() + ", container " + c.getName()
                                + ": image " + c.getImage() + " (kept from template generation "
                                + desired.templateGeneration() + ") is no longer allowed by policy.allowedImages "
                                + images.patterns()));
            }
        }
        return problems.isEmpty() ? null : new Rejection(Reason.ImageDenied, problems);
    }
}
