package org.jupyterhub.kubespawner.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The controller-manager's garbage collector deletes what a deleted owner owned, and nothing else. */
class GarbageCollectionIT {

    @RegisterExtension
    static final ControlPlane cluster = ControlPlane.perClass();

    @Test
    void deletingAnOwnerDeletesItsDependents() {
        KubernetesClient admin = cluster.admin();
        String ns = cluster.namespace();
        ConfigMap owner = admin.configMaps()
                .inNamespace(ns)
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("owner")
                        .endMetadata()
                        .addToData("role", "owner")
                        .build())
                .create();
        OwnerReference ownedBy = new OwnerReferenceBuilder()
                .withApiVersion("v1")
                .withKind("ConfigMap")
                .withName(owner.getMetadata().getName())
                .withUid(owner.getMetadata().getUid())
                .build();

        admin.pods().inNamespace(ns).resource(pod("owned", ownedBy)).create();
        admin.configMaps()
                .inNamespace(ns)
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("owned")
                        .withOwnerReferences(ownedBy)
                        .endMetadata()
                        .build())
                .create();
        admin.pods().inNamespace(ns).resource(pod("independent", null)).create();

        admin.configMaps().inNamespace(ns).withName("owner").delete();

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(admin.pods().inNamespace(ns).withName("owned").get()).isNull();
            assertThat(admin.configMaps().inNamespace(ns).withName("owned").get())
                    .isNull();
        });
        assertThat(admin.pods().inNamespace(ns).withName("independent").get()).isNotNull();
    }

    private static Pod pod(String name, OwnerReference owner) {
        PodBuilder pod = PausePods.pausePod(name);
        if (owner != null) {
            pod.editMetadata().withOwnerReferences(owner).endMetadata();
        }
        return pod.build();
    }
}
