package org.jupyterhub.kubespawner.operator.runtime;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;

/**
 * The operator client's JSON binding: objects it reads keep only what the operator uses, so its informer caches
 * hold thousands of instances in little memory.
 *
 * <ul>
 *   <li>{@code metadata.managedFields} of every object: server-side apply's bookkeeping, a tree of maps per field
 *       manager that the operator never reads (it was a quarter of a million map objects per 10,000 instances).
 *   <li>{@code spec} of the pods, claims, services and network policies it creates: it creates them once and
 *       never changes them, and it reads only their metadata and status (pod readiness, IP, waiting reasons).
 * </ul>
 *
 * <p>Only reading is trimmed: objects the operator writes are serialized whole. Done in the binding rather than in
 * an informer's item store because JOSDK shares one configured store between the informers it runs per watched
 * namespace (which broke relists when tried), and because what is never bound is never allocated. Code that needs
 * such a spec must read it with another client.
 */
final class TrimmedReads {

  private TrimmedReads() {
  }

  @JsonIgnoreProperties(value = "managedFields", allowGetters = true, ignoreUnknown = true)
  private abstract static class WithoutManagedFields {
  }

  @JsonIgnoreProperties(value = "spec", allowGetters = true, ignoreUnknown = true)
  private abstract static class WithoutSpec {
  }

  /** The kinds the operator creates and then only observes. */
  static final List<Class<?>> OBSERVED_ONLY = List.of(Pod.class, PersistentVolumeClaim.class, Service.class,
      NetworkPolicy.class);

  /** @return a serialization for the operator's client that trims what it reads */
  static KubernetesSerialization serialization() {
    ObjectMapper mapper = new ObjectMapper();
    mapper.addMixIn(ObjectMeta.class, WithoutManagedFields.class);
    for (Class<?> kind : OBSERVED_ONLY) {
      mapper.addMixIn(kind, WithoutSpec.class);
    }
    return new KubernetesSerialization(mapper, true);
  }
}
