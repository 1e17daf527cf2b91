package org.jupyterhub.kubespawner.templating;

import io.fabric8.kubernetes.api.model.Pod;

/**
 * A rendered pod and how to use it.
 *
 * @param pod metadata (name, labels, annotations) and spec; namespace and owner references are left to the caller
 * @param weight creation order among pods, ascending
 * @param notebook whether this pod runs the notebook server
 * @param notebookContainer the name of the notebook container (for the notebook pod; the first container if the
 *     template does not say)
 * @param notebookPort the port the hub connects to (8888 unless the template says otherwise)
 */
public record RenderedPod(Pod pod, int weight, boolean notebook, String notebookContainer, int notebookPort) {}
