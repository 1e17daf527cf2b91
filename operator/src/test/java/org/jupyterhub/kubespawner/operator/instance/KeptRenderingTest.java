package org.jupyterhub.kubespawner.operator.instance;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.jupyterhub.kubespawner.templating.Readiness;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancestatus.suspension.Rendering;

class KeptRenderingTest {

    private static DesiredState desired(DesiredObject... objects) {
        return new DesiredState(List.of(objects), "nb-ada", "notebook", 8888, 3, "ada", false);
    }

    private static <T extends HasMetadata> T owned(T object) {
        object.getMetadata()
                .setOwnerReferences(List.of(new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder()
                        .withKind("JupyterNotebookInstance")
                        .withName("ada")
                        .withUid("u-1")
                        .withController(true)
                        .build()));
        return object;
    }

    @Test
    void extraObjectsOfBuiltInKindsAreKeptWithTheirReadinessAndRetention() {
        var settings = owned(new ConfigMapBuilder()
                .withNewMetadata()
                .withName("settings-ada")
                .withNamespace("ns")
                .endMetadata()
                .withData(Map.of("version", "one"))
                .build());
        var kept = new ConfigMapBuilder()
                .withNewMetadata()
                .withName("kept-ada")
                .withNamespace("ns")
                .withAnnotations(Map.of(Ownership.USER_IDENTITY, "ada"))
                .endMetadata()
                .withData(Map.of("a", "b"))
                .build();
        PodDisruptionBudget budget = owned(new PodDisruptionBudgetBuilder()
                .withNewMetadata()
                .withName("pdb-ada")
                .withNamespace("ns")
                .endMetadata()
                .withNewSpec()
                .withNewMinAvailable(1)
                .endSpec()
                .build());
        var ingress = owned(new IngressBuilder()
                .withNewMetadata()
                .withName("web-ada")
                .withNamespace("ns")
                .endMetadata()
                .build());
        var pod = owned(new PodBuilder()
                .withNewMetadata()
                .withName("nb-ada")
                .withNamespace("ns")
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("notebook")
                .withImage("quay.io/jupyter/base-notebook:2025-03-14")
                .endContainer()
                .endSpec()
                .build());
        Readiness rule = new Readiness(null, ".status.currentHealthy", "1");
        DesiredState spawned = desired(
                new DesiredObject(settings, false),
                new DesiredObject(kept, true),
                new DesiredObject(budget, false, rule),
                new DesiredObject(ingress, false),
                new DesiredObject(pod, false));

        Rendering rendering = KeptRendering.keep(spawned);
        assertThat(rendering).isNotNull();
        DesiredState resumed = KeptRendering.desired(rendering, false);

        assertThat(resumed).as("the kept rendering, not the current generation").isNotNull();
        assertThat(resumed.objects()).isEqualTo(spawned.objects());
        assertThat(resumed.objects().get(2).object().getMetadata().getAnnotations())
                .as("the rule is not left on the object to create")
                .doesNotContainKey(KeptRendering.READINESS);
        assertThat(rendering.getObjects().get(2).getMetadata().getAnnotations()).containsKey(KeptRendering.READINESS);
    }

    @Test
    void aSpawnWithASecretKeepsNoRenderingAndOneWithACustomResourceResumesFromTheTemplate() {
        var secret = owned(new SecretBuilder()
                .withNewMetadata()
                .withName("token-ada")
                .withNamespace("ns")
                .endMetadata()
                .withStringData(Map.of("token", "s3cret"))
                .build());
        assertThat(KeptRendering.keep(desired(new DesiredObject(secret, false))))
                .as("a Secret's content never goes into status")
                .isNull();

        var widget = owned(new GenericKubernetesResourceBuilder()
                .withApiVersion("example.org/v1")
                .withKind("Widget")
                .withNewMetadata()
                .withName("widget-ada")
                .withNamespace("ns")
                .endMetadata()
                .build());
        Rendering rendering = KeptRendering.keep(desired(new DesiredObject(widget, false)));
        assertThat(KeptRendering.desired(rendering, false))
                .as("its pod spec's images could not be checked again")
                .isNull();
    }
}
