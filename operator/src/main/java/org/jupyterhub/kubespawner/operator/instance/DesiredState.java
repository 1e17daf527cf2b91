package org.jupyterhub.kubespawner.operator.instance;

import java.util.List;

/**
 * Everything to create for an instance, in creation order: claims, then network policies, then services, then pods,
 * each group by ascending weight. Network policies come before pods so a pod never runs unprotected.
 *
 * @param objects the objects in creation order
 * @param notebookPod the name of the pod running the notebook server
 * @param notebookContainer the name of its notebook container
 * @param notebookPort the port the hub connects to
 * @param templateGeneration the template generation rendered
 * @param userIdentity the rendered policy.userIdentity (stamped on retained claims), empty when unset
 * @param adoptKubeSpawnerClaims the template's policy.adoptKubeSpawnerClaims
 */
public record DesiredState(
        List<DesiredObject> objects,
        String notebookPod,
        String notebookContainer,
        int notebookPort,
        long templateGeneration,
        String userIdentity,
        boolean adoptKubeSpawnerClaims) {

    /**
     * Copies the list.
     *
     * @param objects see {@link #objects()}
     * @param notebookPod see {@link #notebookPod()}
     * @param notebookContainer see {@link #notebookContainer()}
     * @param notebookPort see {@link #notebookPort()}
     * @param templateGeneration see {@link #templateGeneration()}
     * @param userIdentity see {@link #userIdentity()}
     * @param adoptKubeSpawnerClaims see {@link #adoptKubeSpawnerClaims()}
     */
    public DesiredState {
        objects = List.copyOf(objects);
    }
}
