package org.jupyterhub.kubespawner.operator.instance;

import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.function.BiFunction;
import org.jupyterhub.kubespawner.operator.vocabulary.Reason;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;

/**
 * Observes a spawn's notebook pod. Only a pod this instance controls counts: a pod of the same name that is not
 * (another instance's, created after this one's was deleted) is reported as a name conflict, never mirrored, so the
 * hub never sends a user to someone else's server.
 */
final class NotebookPodWatch {

    /**
     * What was seen.
     *
     * @param observation the pod's state as far as status is concerned
     * @param createdAt the pod's creationTimestamp (API server clock), or null
     * @param address where the hub reaches a ready pod when its template says so ({@link ServerAddressLookup}), or
     *     null: the pod's IP
     */
    record Seen(PodObservation observation, Instant createdAt, ServerAddress address) {

        Seen(PodObservation observation, Instant createdAt) {
            this(observation, createdAt, null);
        }

        Seen with(ServerAddress reached) {
            return new Seen(observation, createdAt, reached);
        }
    }

    private final BiFunction<String, String, Pod> pods;

    /** @param pods finds a pod by (namespace, name): the informer cache, then the API server; null when absent */
    NotebookPodWatch(BiFunction<String, String, Pod> pods) {
        this.pods = pods;
    }

    /**
     * Looks at the notebook pod.
     *
     * @param instance the instance
     * @param podName the pod's name from the spawn
     * @return what was seen
     */
    Seen look(JupyterNotebookInstance instance, String podName) {
        Pod pod = pods.apply(instance.getMetadata().getNamespace(), podName);
        if (pod != null && !Ownership.isControlledBy(pod, instance.getMetadata().getUid())) {
            return new Seen(
                    new PodObservation.Ended(
                            Reason.NameConflict,
                            "pod " + podName + " exists but is not controlled by this instance (this instance's pod"
                                    + " is gone); it is left alone and never reported as this instance's server"),
                    null);
        }
        Instant created = pod == null || pod.getMetadata().getCreationTimestamp() == null
                ? null
                : Instant.parse(pod.getMetadata().getCreationTimestamp());
        return new Seen(PodClassifier.classify(pod), created);
    }
}
