package org.jupyterhub.kubespawner.operator.instance;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;

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
     * The live cluster: the informers of {@code sources} and the client.
     *
     * @param sources the informers
     * @param client the client
     * @return the cluster
     */
    static InstanceCluster live(InstanceEventSources sources, KubernetesClient client) {
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
            public ObjectMeta secretMetadata(String namespace, String name) {
                return secrets.get(namespace, name);
            }
        };
    }
}
