package org.jupyterhub.kubespawner.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import org.junit.jupiter.api.Test;

class TrimmedCacheTest {

  @Test
  void cachedObjectsKeepEverythingButManagedFields() {
    ItemStore<Pod> store = TrimmedCache.store();
    Pod pod = new PodBuilder()
        .withNewMetadata().withName("jupyter-ada").withNamespace("hub").withResourceVersion("7")
          .addToLabels("app.kubernetes.io/managed-by", "jupyter-notebook-operator")
          .withManagedFields(new ManagedFieldsEntryBuilder().withManager("kubectl").withOperation("Apply").build())
        .endMetadata()
        .withNewStatus().withPodIP("127.8.1.7").endStatus()
        .build();

    store.put(store.getKey(pod), pod);
    Pod cached = store.get(store.getKey(pod));

    assertThat(cached.getMetadata().getManagedFields()).isNullOrEmpty();
    assertThat(cached.getMetadata().getResourceVersion()).isEqualTo("7");
    assertThat(cached.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by",
        "jupyter-notebook-operator");
    assertThat(cached.getStatus().getPodIP()).isEqualTo("127.8.1.7");
  }
}
