package org.jupyterhub.kubespawner.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;

class TrimmedReadsTest {

    private static final String MANAGED_FIELDS = """
      "managedFields": [{"manager": "kubelet", "operation": "Update", "apiVersion": "v1", "fieldsType": "FieldsV1",
        "fieldsV1": {"f:status": {"f:conditions": {"k:{\\"type\\":\\"Ready\\"}": {".": {}, "f:status": {}}}}}}]""";

    private static final String POD = """
      {"apiVersion": "v1", "kind": "Pod",
       "metadata": {"name": "jupyter-ada", "namespace": "hub", "resourceVersion": "42",
         "labels": {"kubespawner.jupyterhub.org/instance": "ada"}, %s,
         "ownerReferences": [{"apiVersion": "v1", "kind": "ConfigMap", "name": "other", "uid": "u-0"},
           {"apiVersion": "kubespawner.jupyterhub.org/v1", "kind": "JupyterNotebookInstance",
           "name": "ada", "uid": "u-1", "controller": true}]},
       "spec": {"containers": [{"name": "notebook", "image": "quay.io/jupyter/base-notebook:2025-01-06",
         "env": [{"name": "JUPYTERHUB_USER", "value": "ada"}]}]},
       "status": {"phase": "Running", "podIP": "10.0.0.7", "podIPs": [{"ip": "10.0.0.7"}], "qosClass": "Burstable",
         "conditions": [{"type": "Ready", "status": "True", "lastProbeTime": null}],
         "containerStatuses": [{"name": "notebook", "image": "quay.io/jupyter/base-notebook:2025-01-06",
           "imageID": "", "ready": false, "restartCount": 1,
           "state": {"waiting": {"reason": "ImagePullBackOff", "message": "back-off pulling image"}},
           "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled"}}}]}}""".formatted(MANAGED_FIELDS);

    private final KubernetesSerialization serialization = TrimmedReads.serialization();

    @Test
    void podsAreReadWithoutSpecOrManagedFieldsButWithWhatTheOperatorUses() {
        Pod pod = serialization.unmarshal(POD, Pod.class);

        assertThat(pod.getSpec()).isNull();
        assertThat(pod.getMetadata().getManagedFields()).isEmpty();
        assertThat(pod.getMetadata().getAdditionalProperties()).isEmpty();
        assertThat(pod.getAdditionalProperties()).isEmpty();
        assertThat(pod.getMetadata().getName()).isEqualTo("jupyter-ada");
        assertThat(pod.getMetadata().getResourceVersion()).isEqualTo("42");
        assertThat(pod.getMetadata().getLabels()).containsEntry("kubespawner.jupyterhub.org/instance", "ada");
        assertThat(pod.getStatus().getPodIP()).isEqualTo("10.0.0.7");
        assertThat(pod.getStatus().getConditions())
                .singleElement()
                .satisfies(c -> assertThat(c.getStatus()).isEqualTo("True"));
        assertThat(pod.getMetadata().getOwnerReferences())
                .as("only the controller's reference, which proves whose the pod is")
                .singleElement()
                .satisfies(r -> {
                    assertThat(r.getUid()).isEqualTo("u-1");
                    assertThat(r.getKind()).isEqualTo("JupyterNotebookInstance");
                });
        assertThat(serialization
                        .unmarshal(POD.replace("\"controller\": true", "\"controller\": false"), Pod.class)
                        .getMetadata()
                        .getOwnerReferences())
                .as("no controller: no reference kept")
                .isEmpty();
        assertThat(pod.getStatus().getPodIPs()).isEmpty();
        assertThat(pod.getStatus().getContainerStatuses()).singleElement().satisfies(c -> {
            assertThat(c.getName()).isEqualTo("notebook");
            assertThat(c.getState().getWaiting().getReason()).isEqualTo("ImagePullBackOff");
            assertThat(c.getLastState().getTerminated().getExitCode()).isEqualTo(137);
            assertThat(c.getImage()).isNull();
            assertThat(c.getAdditionalProperties()).isEmpty();
        });
    }

    @Test
    void equalStringsAreBoundToOneInstance() {
        Pod first = serialization.unmarshal(POD, Pod.class);
        Pod second = serialization.unmarshal(POD.replace("jupyter-ada", "jupyter-bob"), Pod.class);

        assertThat(second.getMetadata().getNamespace())
                .isSameAs(first.getMetadata().getNamespace());
        assertThat(second.getStatus().getConditions().get(0).getType())
                .isSameAs(first.getStatus().getConditions().get(0).getType());
        assertThat(second.getMetadata().getName()).isEqualTo("jupyter-bob");
    }

    @Test
    void listsAreTrimmedToo() {
        PodList list = serialization.unmarshal("""
        {"apiVersion": "v1", "kind": "PodList", "metadata": {"resourceVersion": "43"}, "items": [%s]}""".formatted(POD), PodList.class);

        assertThat(list.getItems()).singleElement().satisfies(p -> {
            assertThat(p.getSpec()).isNull();
            assertThat(p.getMetadata().getManagedFields()).isEmpty();
            assertThat(p.getStatus().getPhase()).isEqualTo("Running");
        });
    }

    @Test
    void writingKeepsEverything() {
        Pod pod = new PodBuilder()
                .withNewMetadata()
                .withName("jupyter-ada")
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("notebook")
                .withImage("quay.io/jupyter/base-notebook:2025-01-06")
                .endContainer()
                .endSpec()
                .build();

        String json = serialization.asJson(pod);

        assertThat(json).contains("\"spec\"").contains("quay.io/jupyter/base-notebook:2025-01-06");
        assertThat(new KubernetesSerialization()
                        .unmarshal(json, Pod.class)
                        .getSpec()
                        .getContainers())
                .hasSize(1);
    }

    @Test
    void instancesKeepTheirSpecAndLoseOnlyManagedFields() {
        JupyterNotebookInstance instance =
                serialization.unmarshal("""
        {"apiVersion": "kubespawner.jupyterhub.org/v1", "kind": "JupyterNotebookInstance",
         "metadata": {"name": "ada", "namespace": "hub", %s},
         "spec": {"template": {"name": "default"}, "variables": {"user": "ada"}}}""".formatted(MANAGED_FIELDS), JupyterNotebookInstance.class);

        assertThat(instance.getMetadata().getManagedFields()).isEmpty();
        assertThat(instance.getSpec().getTemplate().getName()).isEqualTo("default");
        assertThat(instance.getSpec().getVariables()).containsEntry("user", "ada");
    }

    @Test
    void claimsKeepTheirStatus() {
        PersistentVolumeClaim claim = serialization.unmarshal("""
        {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "claim-ada"},
         "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "10Gi"}}},
         "status": {"phase": "Bound"}}""", PersistentVolumeClaim.class);

        assertThat(claim.getSpec()).isNull();
        assertThat(claim.getStatus().getPhase()).isEqualTo("Bound");
    }
}
