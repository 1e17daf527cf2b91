package org.jupyterhub.kubespawner.operator.instance;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jupyterhub.kubespawner.operator.ManagedLabels;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;

/**
 * An in-memory cluster for reconcile tests: objects by kind, namespace and name; a cache that holds what carries
 * the operator's managed-by label (as the informers select); every create and read counted; failures on demand.
 */
final class FakeCluster implements InstanceCluster {

    final Map<String, HasMetadata> objects = new LinkedHashMap<>();
    final Map<String, JupyterNotebookInstanceTemplate> templates = new HashMap<>();
    final Map<String, ObjectMeta> secrets = new HashMap<>();
    final List<String> created = new ArrayList<>();
    final List<String> reads = new ArrayList<>();
    final Map<String, KubernetesClientException> createFailures = new HashMap<>();
    String creationTimestamp = "2026-01-01T10:00:00Z";

    private static String key(String kind, String namespace, String name) {
        return kind + "/" + namespace + "/" + name;
    }

    private static String key(HasMetadata o) {
        return key(o.getKind(), o.getMetadata().getNamespace(), o.getMetadata().getName());
    }

    /** Puts an object as if someone had created it (a deep copy). */
    <T extends HasMetadata> T put(T object) {
        T copy = copy(object);
        if (copy.getMetadata().getUid() == null) {
            copy.getMetadata().setUid(UUID.randomUUID().toString());
        }
        if (copy.getMetadata().getResourceVersion() == null) {
            copy.getMetadata().setResourceVersion("1");
        }
        objects.put(key(copy), copy);
        return copy;
    }

    void template(JupyterNotebookInstanceTemplate template) {
        templates.put(
                template.getMetadata().getNamespace() + "/"
                        + template.getMetadata().getName(),
                template);
    }

    void secret(String namespace, String name, Map<String, String> labels) {
        secrets.put(
                namespace + "/" + name,
                new ObjectMetaBuilder()
                        .withNamespace(namespace)
                        .withName(name)
                        .withLabels(labels)
                        .build());
    }

    /** Makes the named pod Ready with an IP, as kubelet would. */
    void podReady(String namespace, String name, String ip) {
        Pod pod = (Pod) objects.get(key("Pod", namespace, name));
        pod.setStatus(new PodStatusBuilder()
                .withPhase("Running")
                .withPodIP(ip)
                .withConditions(new PodCondition(null, null, null, null, null, "True", "Ready"))
                .build());
    }

    @SuppressWarnings("unchecked")
    <T extends HasMetadata> T get(String kind, String namespace, String name) {
        return (T) objects.get(key(kind, namespace, name));
    }

    @Override
    public JupyterNotebookInstanceTemplate template(String namespace, String name) {
        return templates.get(namespace + "/" + name);
    }

    @Override
    public Pod pod(String namespace, String name) {
        reads.add(key("Pod", namespace, name));
        return get("Pod", namespace, name);
    }

    @Override
    public PersistentVolumeClaim cachedClaim(String namespace, String name) {
        return get("PersistentVolumeClaim", namespace, name);
    }

    @Override
    public ObjectMeta secretMetadata(String namespace, String name) {
        reads.add(key("Secret", namespace, name));
        return secrets.get(namespace + "/" + name);
    }

    @Override
    public void remember(ResourceID primary, HasMetadata created) {
        // the fake's cache is its store
    }

    @Override
    public HasMetadata cached(HasMetadata desired) {
        HasMetadata o = objects.get(key(desired));
        boolean managed = o != null
                && o.getMetadata().getLabels() != null
                && ManagedLabels.MANAGED_BY_VALUE.equals(
                        o.getMetadata().getLabels().get(ManagedLabels.MANAGED_BY));
        return managed ? o : null;
    }

    @Override
    public HasMetadata create(HasMetadata object) {
        KubernetesClientException failure = createFailures.get(object.getKind());
        if (failure != null) {
            throw failure;
        }
        if (objects.containsKey(key(object))) {
            throw new KubernetesClientException("already exists", 409, null);
        }
        HasMetadata stored = copy(object);
        stored.getMetadata().setUid(UUID.randomUUID().toString());
        stored.getMetadata().setResourceVersion("1");
        stored.getMetadata().setCreationTimestamp(creationTimestamp);
        objects.put(key(stored), stored);
        created.add(key(stored));
        return copy(stored);
    }

    @Override
    public HasMetadata read(HasMetadata desired) {
        reads.add(key(desired));
        HasMetadata o = objects.get(key(desired));
        return o == null ? null : copy(o);
    }

    @SuppressWarnings("unchecked")
    private static <T extends HasMetadata> T copy(T object) {
        return (T) Serialization.clone(object);
    }
}
