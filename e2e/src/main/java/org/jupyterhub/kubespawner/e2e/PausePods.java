package org.jupyterhub.kubespawner.e2e;

import io.fabric8.kubernetes.api.model.PodBuilder;

/** The smallest pod there is, for tests of what the control plane does with pods (kwok runs it at once). */
public final class PausePods {

    private PausePods() {}

    /**
     * A pod with one container running the pause image.
     *
     * @param name the pod's name
     * @return its builder, to add to before building
     */
    public static PodBuilder pausePod(String name) {
        return new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("main")
                .withImage("registry.k8s.io/pause:3.10")
                .endContainer()
                .endSpec();
    }
}
