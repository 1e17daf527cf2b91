package org.jupyterhub.kubespawner.templating;

import io.fabric8.kubernetes.api.model.Pod;

/**
 * The rendered pod that runs the notebook server (the entry marked {@code notebook: true}, else the first pod), and
 * where the hub reaches it.
 *
 * @param pod the pod, the same object as in {@link RenderedObjects#objects()}
 * @param container the notebook container's name ({@code notebookContainer}, else the pod's first container)
 * @param port the port the hub connects to ({@code notebookPort}, else {@value CompiledTemplate#DEFAULT_NOTEBOOK_PORT})
 */
public record NotebookServer(Pod pod, String container, int port) {

    /** @return the pod's metadata.name */
    public String podName() {
        return pod.getMetadata().getName();
    }
}
