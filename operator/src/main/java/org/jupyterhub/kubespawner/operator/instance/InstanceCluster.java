package org.jupyterhub.kubespawner.operator.instance;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.List;
import java.util.Map;
import org.jupyterhub.kubespawner.operator.access.AccessIndex;
import org.jupyterhub.kubespawner.operator.activity.ActivityProbes;
import org.jupyterhub.kubespawner.operator.activity.ActivityReading;
import org.jupyterhub.kubespawner.operator.activity.ProbeTarget;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;
import org.jupyterhub.kubespawner.v1.JupyterNotebookQuota;

/**
 * Everything the instance reconciler reads from and writes to the cluster besides the instance's status: the
 * informer caches first, the API server when a cache cannot know. One interface, so reconciles can be tested with an
 * in-memory fake.
 */
interface InstanceCluster extends Provisioning.Objects {

    /**
     * A template from the cache.
     *
     * @param namespace its namespace
     * @param name its name
     * @return the template, or null
     */
    JupyterNotebookInstanceTemplate template(String namespace, String name);

    /**
     * A pod: from the cache, else asked once from the API server (the cache can lag behind a create).
     *
     * @param namespace its namespace
     * @param name its name
     * @return the pod, or null
     */
    Pod pod(String namespace, String name);

    /**
     * A managed claim from the cache only.
     *
     * @param namespace its namespace
     * @param name its name
     * @return the claim, or null
     */
    PersistentVolumeClaim cachedClaim(String namespace, String name);

    /**
     * A Secret's metadata, never its data ({@link SecretMetadata}).
     *
     * @param namespace its namespace
     * @param name its name
     * @return the metadata, or null when the Secret does not exist
     */
    ObjectMeta secretMetadata(String namespace, String name);

    /**
     * Puts an object just created into its cache.
     *
     * @param primary the instance
     * @param created the object as the API server returned it
     */
    void remember(ResourceID primary, HasMetadata created);

    /**
     * The managed objects of a kind labelled for this instance, from the cache (whose they are is the caller's to
     * judge).
     *
     * @param instance the instance
     * @param kind Pod or Service
     * @return the objects
     */
    List<HasMetadata> owned(JupyterNotebookInstance instance, Class<? extends HasMetadata> kind);

    /**
     * Deletes an object, only if it is still the object of this uid (a precondition); gone or replaced is fine.
     *
     * @param object the object (kind, namespace, name, uid)
     */
    void delete(HasMetadata object);

    /**
     * Instances from the cache, by an index of {@link InstanceEventSources}.
     *
     * @param index the index
     * @param key its key
     * @return the instances
     */
    List<JupyterNotebookInstance> instancesBy(String index, String key);

    /**
     * The quotas of a namespace, from the cache.
     *
     * @param namespace the namespace
     * @return the quotas
     */
    List<JupyterNotebookQuota> quotas(String namespace);

    /** @return the access rules of every watched namespace */
    AccessIndex access();

    /**
     * Deletes an instance (a lifetime policy's or an access rule's reaction) in the foreground (it stays,
     * Terminating, until its pods are gone; claims marked Retain stay), only if it is still the one of this uid.
     *
     * @param instance the instance
     */
    void deleteInstance(JupyterNotebookInstance instance);

    /**
     * Probes a running server's activity from now on (see {@link ActivityProbes}) and tells the latest reading.
     *
     * @param id the instance
     * @param target where and how
     * @return the latest reading
     */
    ActivityReading activity(ResourceID id, ProbeTarget target);

    /**
     * Stops probing a server.
     *
     * @param id the instance
     */
    void stopProbing(ResourceID id);

    /**
     * The live cluster: the informers of {@code sources} and the client.
     *
     * @param sources the informers
     * @param client the client
     * @param probes the activity probes
     * @return the cluster
     */
    static InstanceCluster live(InstanceEventSources sources, KubernetesClient client, ActivityProbes probes) {
        Provisioning.Objects objects = Provisioning.Objects.of(client, sources::cached);
        SecretMetadata secrets = SecretMetadata.of(client);
        return new InstanceCluster() {
            @Override
            public JupyterNotebookInstanceTemplate template(String namespace, String name) {
                return sources.template(namespace, name);
            }

            @Override
            public Pod pod(String namespace, String name) {
                Pod cached = (Pod) sources.cached(new PodBuilder()
                        .withNewMetadata()
                        .withNamespace(namespace)
                        .withName(name)
                        .endMetadata()
                        .build());
                return cached != null
                        ? cached
                        : client.pods().inNamespace(namespace).withName(name).get();
            }

            @Override
            public PersistentVolumeClaim cachedClaim(String namespace, String name) {
                return (PersistentVolumeClaim) sources.cached(new PersistentVolumeClaimBuilder()
                        .withNewMetadata()
                        .withNamespace(namespace)
                        .withName(name)
                        .endMetadata()
                        .build());
            }

            @Override
            public void remember(ResourceID primary, HasMetadata created) {
                sources.remember(primary, created);
            }

            @Override
            public HasMetadata cached(HasMetadata desired) {
                return objects.cached(desired);
            }

            @Override
            public HasMetadata create(HasMetadata object) {
                return objects.create(object);
            }

            @Override
            public HasMetadata read(HasMetadata desired) {
                return objects.read(desired);
            }

            @Override
            public void dryRun(HasMetadata object) {
                objects.dryRun(object);
            }

            @Override
            public ObjectMeta secretMetadata(String namespace, String name) {
                return secrets.get(namespace, name);
            }

            @Override
            public List<HasMetadata> owned(JupyterNotebookInstance instance, Class<? extends HasMetadata> kind) {
                return sources.owned(instance, kind);
            }

            @Override
            public void delete(HasMetadata object) {
                String ns = object.getMetadata().getNamespace();
                String name = object.getMetadata().getName();
                String path = switch (object.getKind()) {
                    case "Pod" -> "/api/v1/namespaces/" + ns + "/pods/" + name;
                    case "Service" -> "/api/v1/namespaces/" + ns + "/services/" + name;
                    case "JupyterNotebookInstance" ->
                        "/apis/kubespawner.jupyterhub.org/v1/namespaces/" + ns + "/jupyternotebookinstances/" + name;
                    default -> throw new IllegalArgumentException("the operator deletes no " + object.getKind());
                };
                // an instance goes in the foreground: it stays, Terminating, until its pods are gone
                String propagation = object instanceof JupyterNotebookInstance ? "Foreground" : "Background";
                try {
                    client.raw(
                            client.getMasterUrl().toString().replaceAll("/$", "") + path,
                            "DELETE",
                            Map.of(
                                    "apiVersion",
                                    "v1",
                                    "kind",
                                    "DeleteOptions",
                                    "propagationPolicy",
                                    propagation,
                                    "preconditions",
                                    Map.of("uid", object.getMetadata().getUid())));
                } catch (KubernetesClientException e) {
                    if (e.getCode() != 404 && e.getCode() != 409) {
                        throw e; // gone (404) or replaced by another object of the name (409): nothing to do
                    }
                }
            }

            @Override
            public List<JupyterNotebookInstance> instancesBy(String index, String key) {
                return sources.instancesBy(index, key);
            }

            @Override
            public List<JupyterNotebookQuota> quotas(String namespace) {
                return sources.quotas(namespace);
            }

            @Override
            public AccessIndex access() {
                return sources.access();
            }

            @Override
            public void deleteInstance(JupyterNotebookInstance instance) {
                delete(instance);
            }

            @Override
            public ActivityReading activity(ResourceID id, ProbeTarget target) {
                return probes.watch(id, target);
            }

            @Override
            public void stopProbing(ResourceID id) {
                probes.forget(id);
            }
        };
    }
}
