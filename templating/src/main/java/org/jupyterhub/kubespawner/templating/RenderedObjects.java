package org.jupyterhub.kubespawner.templating;

import java.util.List;

/**
 * Everything a template rendered to, each list in ascending weight order (ties keep template order).
 *
 * @param persistentVolumeClaims the claims
 * @param services the services
 * @param networkPolicies the network policies
 * @param pods the pods; exactly one has {@link RenderedPod#notebook()} set
 */
public record RenderedObjects(
        List<RenderedClaim> persistentVolumeClaims,
        List<RenderedService> services,
        List<RenderedNetworkPolicy> networkPolicies,
        List<RenderedPod> pods) {

    /**
     * Copies the lists so the record stays immutable.
     *
     * @param persistentVolumeClaims see {@link #persistentVolumeClaims()}
     * @param services see {@link #services()}
     * @param networkPolicies see {@link #networkPolicies()}
     * @param pods see {@link #pods()}
     */
    public RenderedObjects {
        persistentVolumeClaims = List.copyOf(persistentVolumeClaims);
        services = List.copyOf(services);
        networkPolicies = List.copyOf(networkPolicies);
        pods = List.copyOf(pods);
    }

    /** @return the pod that runs the notebook server */
    public RenderedPod notebookPod() {
        return pods.stream().filter(RenderedPod::notebook).findFirst().orElseThrow();
    }
}
