package org.jupyterhub.kubespawner.v1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What another team's controller writes against the model jar alone: it reads templates and instances with
 * fabric8's own types inside (PodSpec, Condition), and needs no HTTP client to do so.
 */
class ThirdPartyControllerTest {

    /** A toy admission rule another team might write: every pod in the template must drop all capabilities. */
    static List<String> podsKeepingCapabilities(JupyterNotebookInstanceTemplate template) {
        return template.getSpec().getPods().stream()
                .filter(pod -> keepsCapabilities(pod.getSpec()))
                .map(pod -> pod.getName())
                .toList();
    }

    private static boolean keepsCapabilities(PodSpec spec) {
        return spec.getContainers().stream()
                .anyMatch(c -> c.getSecurityContext() == null
                        || c.getSecurityContext().getCapabilities() == null
                        || !c.getSecurityContext().getCapabilities().getDrop().contains("ALL"));
    }

    @Test
    void readsEmbeddedKubernetesTypes() {
        JupyterNotebookInstanceTemplate template = Serialization.unmarshal(
                Examples.read(Examples.example("z2jh-default-template.yaml")), JupyterNotebookInstanceTemplate.class);

        assertThat(podsKeepingCapabilities(template)).isEmpty();

        template.getSpec().getPods().get(0).getSpec().getContainers().get(0).setSecurityContext(null);
        assertThat(podsKeepingCapabilities(template)).containsExactly("jupyter-{user_server}");
    }

    @Test
    void writesStatusWithStandardConditions() {
        Condition ready = new ConditionBuilder()
                .withType("Ready")
                .withStatus("True")
                .withReason("PodReady")
                .withMessage("pod is ready")
                .withLastTransitionTime("2026-01-01T00:00:00Z")
                .withObservedGeneration(3L)
                .build();
        JupyterNotebookInstance instance = new JupyterNotebookInstanceBuilder()
                .withNewMetadata()
                .withName("jupyter-ada")
                .endMetadata()
                .withNewStatus()
                .withPhase(JupyterNotebookInstanceStatus.Phase.READY)
                .withConditions(ready)
                .endStatus()
                .build();

        String yaml = Serialization.asYaml(instance);
        assertThat(yaml)
                .contains("phase: \"Ready\"")
                .contains("type: \"Ready\"")
                .contains("observedGeneration: 3");
    }

    @Test
    void theModelCarriesNoClientImplementation() {
        // Types only: the HTTP client implementation must not come in through the model's dependencies.
        assertThatThrownBy(() -> Class.forName("io.fabric8.kubernetes.client.impl.KubernetesClientImpl"))
                .isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> Class.forName("io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory"))
                .isInstanceOf(ClassNotFoundException.class);
    }
}
