package org.jupyterhub.kubespawner.operator.instance;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus;

/**
 * The last status written for each instance, until the informer's cache shows it. Status patches go without a
 * resourceVersion ({@link org.jupyterhub.kubespawner.operator.StatusPatch}), so JOSDK cannot put the patch's answer
 * into its cache, and a reconcile woken by a pod event right after a write would see the status from before it: it
 * would write the same status again and tell the same Events twice (seen on the spawn page as "PodReady (x2)").
 */
final class WrittenStatus {

    /** A status written over the instance at resourceVersion {@code over}. */
    private record Written(String uid, String over, JupyterNotebookInstanceStatus status) {}

    private final Map<ResourceID, Written> written = new ConcurrentHashMap<>();

    /**
     * Remembers a status about to be written; call before the instance's resourceVersion is dropped for the patch.
     *
     * @param instance the instance as read (its resourceVersion is the one the write goes over)
     * @param status the status written
     */
    void remember(JupyterNotebookInstance instance, JupyterNotebookInstanceStatus status) {
        written.put(
                ResourceID.fromResource(instance),
                new Written(
                        instance.getMetadata().getUid(), instance.getMetadata().getResourceVersion(), status));
    }

    /**
     * Gives an instance read from a cache that has not seen our last write that write's status; forgets the write
     * once the cache has moved past it.
     *
     * @param instance the instance as read (its status may be replaced)
     */
    void freshen(JupyterNotebookInstance instance) {
        ResourceID id = ResourceID.fromResource(instance);
        Written w = written.get(id);
        if (w == null) {
            return;
        }
        String rv = instance.getMetadata().getResourceVersion();
        if (w.over() != null
                && w.over().equals(rv)
                && w.uid().equals(instance.getMetadata().getUid())) {
            instance.setStatus(w.status());
        } else {
            written.remove(id, w);
        }
    }

    /**
     * Forgets a deleted instance.
     *
     * @param instance the instance
     */
    void forget(JupyterNotebookInstance instance) {
        written.remove(ResourceID.fromResource(instance));
    }
}
