package org.jupyterhub.kubespawner.operator.it;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.jupyterhub.kubespawner.e2e.ControlPlane;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;

/** Objects and waits shared by the operator's integration tests. */
public final class Fixtures {

    static final Duration WAIT = Duration.ofSeconds(60);

    private Fixtures() {}

    /** The repository's examples, moved into the test's namespace. */
    static List<HasMetadata> examples(ControlPlane cluster, String file, String namespace) {
        List<HasMetadata> items = cluster.cluster().load(cluster.repoRoot().resolve(Path.of("crds", "examples", file)));
        items.forEach(i -> i.getMetadata().setNamespace(namespace));
        return items;
    }

    /**
     * A pre-bound volume for a claim: the local cluster has no provisioner, and a pod whose claim is unbound is never
     * scheduled.
     */
    public static void volumeFor(KubernetesClient admin, String namespace, String claim) {
        PersistentVolume pv = new PersistentVolumeBuilder()
                .withNewMetadata()
                .withName("pv-" + namespace + "-" + claim)
                .addToLabels("jno-it", namespace)
                .endMetadata()
                .withNewSpec()
                .addToCapacity("storage", new Quantity("100Gi"))
                .withAccessModes("ReadWriteOnce")
                .withNewHostPath()
                .withPath("/tmp/" + namespace + "/" + claim)
                .endHostPath()
                .withNewClaimRef()
                .withNamespace(namespace)
                .withName(claim)
                .endClaimRef()
                .withPersistentVolumeReclaimPolicy("Retain")
                .endSpec()
                .build();
        admin.resource(pv).createOr(existing -> existing.update());
    }

    /** Deletes the namespace's instances and waits until they are gone (they carry no finalizer). */
    static void releaseInstances(KubernetesClient admin, String namespace) {
        var instances = admin.resources(JupyterNotebookInstance.class).inNamespace(namespace);
        instances.delete();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> instances.list().getItems().isEmpty());
    }

    static void deleteVolumes(KubernetesClient admin, String namespace) {
        admin.persistentVolumes().withLabel("jno-it", namespace).delete();
    }

    /** A small template: one notebook pod, optional extras, images under quay.io/jupyter/. */
    static JupyterNotebookInstanceTemplate template(String namespace, String name, String extraSpecYaml) {
        return template(namespace, name, null, extraSpecYaml);
    }

    /** The small template with extra fields in the pod's spec (e.g. a nodeSelector) and in the template's spec. */
    static JupyterNotebookInstanceTemplate template(
            String namespace, String name, String extraPodSpecYaml, String extraSpecYaml) {
        String yaml = """
        apiVersion: kubespawner.jupyterhub.org/v1
        kind: JupyterNotebookInstanceTemplate
        metadata:
          name: %s
          namespace: %s
        spec:
          variables:
          - name: user
            required: true
            pattern: '[a-z0-9]([-a-z0-9]*[a-z0-9])?'
            maxLength: 40
          - name: image
            default: quay.io/jupyter/base-notebook:2025-03-14
          pods:
          - name: nb-{user}
            labels:
              component: singleuser-server
              hub.jupyter.org/username: "{user}"
            spec:
              containers:
              - name: notebook
                image: "{image}"
                args: [jupyterhub-singleuser]
                env:
                - name: FROM_TEMPLATE
                  value: "yes"
        %s
          policy:
            allowedImages: [quay.io/jupyter/*]
        %s
        """.formatted(
                        name,
                        namespace,
                        extraPodSpecYaml == null ? "" : extraPodSpecYaml.indent(6),
                        extraSpecYaml == null ? "" : extraSpecYaml.indent(2));
        return Serialization.unmarshal(yaml, JupyterNotebookInstanceTemplate.class);
    }

    static JupyterNotebookInstance instance(
            String namespace, String name, String template, String variablesYaml, String extraSpecYaml) {
        String yaml = """
        apiVersion: kubespawner.jupyterhub.org/v1
        kind: JupyterNotebookInstance
        metadata:
          name: %s
          namespace: %s
        spec:
          template:
            name: %s
          variables:
        %s
        %s
        """.formatted(
                        name,
                        namespace,
                        template,
                        variablesYaml.indent(4),
                        extraSpecYaml == null ? "" : extraSpecYaml.indent(2));
        return Serialization.unmarshal(yaml, JupyterNotebookInstance.class);
    }

    static JupyterNotebookInstance awaitInstance(
            KubernetesClient admin, String namespace, String name, Predicate<JupyterNotebookInstanceStatus> until) {
        return awaitInstance(admin, namespace, name, until, WAIT);
    }

    public static JupyterNotebookInstance awaitInstance(
            KubernetesClient admin,
            String namespace,
            String name,
            Predicate<JupyterNotebookInstanceStatus> until,
            Duration atMost) {
        await("instance " + name)
                .atMost(atMost)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    JupyterNotebookInstance i = admin.resources(JupyterNotebookInstance.class)
                            .inNamespace(namespace)
                            .withName(name)
                            .get();
                    return i != null && i.getStatus() != null && until.test(i.getStatus());
                });
        return admin.resources(JupyterNotebookInstance.class)
                .inNamespace(namespace)
                .withName(name)
                .get();
    }

    /** Events about an instance (a pod may have the same name). */
    static List<Event> eventsAbout(KubernetesClient admin, String namespace, String name) {
        return admin.events().v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> e.getRegarding() != null
                        && name.equals(e.getRegarding().getName())
                        && "JupyterNotebookInstance".equals(e.getRegarding().getKind()))
                .toList();
    }

    static Predicate<JupyterNotebookInstanceStatus> phase(JupyterNotebookInstanceStatus.Phase phase) {
        return s -> s.getPhase() == phase;
    }
}
