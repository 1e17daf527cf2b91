package org.jupyterhub.kubespawner.operator.runtime;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.javaoperatorsdk.operator.processing.event.source.informer.TransformingItemStore;

/**
 * Informer stores that drop what the operator never reads before caching an object.
 *
 * <p>managedFields are a large share of every cached instance and pod (50,020 {@code ManagedFieldsEntry} objects
 * at 10,000 instances in the memory benchmark, docs/benchmarks.md) and nothing here reads them.
 */
public final class TrimmedCache {

  private TrimmedCache() {}

  /**
   * A store for one informer.
   *
   * @param <R> the cached type
   * @return a store that caches objects without their managedFields
   */
  public static <R extends HasMetadata> ItemStore<R> store() {
    return new TransformingItemStore<>(TrimmedCache::trim);
  }

  static <R extends HasMetadata> R trim(R resource) {
    if (resource.getMetadata() != null) {
      resource.getMetadata().setManagedFields(null);
    }
    return resource;
  }
}
