package org.jupyterhub.kubespawner.operator.instance;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import java.util.List;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;

/**
 * Stops a suspended server: deletes the pods this instance controls (and its services when the template says so),
 * and nothing else. Claims and network policies stay, so a resume mounts the same claim behind the same policy.
 * Only objects controlled by the instance's uid are deleted, each with that uid as a precondition, so an object
 * someone else created under the same name in the meantime is never touched.
 */
final class Suspending {

    private final InstanceCluster cluster;

    Suspending(InstanceCluster cluster) {
        this.cluster = cluster;
    }

    /**
     * Deletes what runs.
     *
     * @param instance the instance
     * @param services whether to delete its services too
     * @return how many of those objects are still there (being deleted)
     */
    int stop(JupyterNotebookInstance instance, boolean services) {
        String uid = instance.getMetadata().getUid();
        int going = 0;
        for (Class<? extends HasMetadata> kind : services ? List.of(Pod.class, Service.class) : List.of(Pod.class)) {
            for (HasMetadata o : cluster.owned(instance, kind)) {
                if (!Ownership.isControlledBy(o, uid)) {
                    continue;
                }
                going++;
                if (o.getMetadata().getDeletionTimestamp() == null) {
                    cluster.delete(o);
                }
            }
        }
        return going;
    }
}
