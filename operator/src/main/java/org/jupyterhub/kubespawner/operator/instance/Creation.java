package org.jupyterhub.kubespawner.operator.instance;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/** Create-if-absent: an object that already exists counts as done and is never modified. */
final class Creation {

    /** What happened to one object. */
    enum Outcome {
        CREATED,
        EXISTED
    }

    /**
     * The result of one create.
     *
     * @param outcome created or already there
     * @param object the created object, or null when it existed
     */
    record Result(Outcome outcome, HasMetadata object) {}

    /** The API server rejected an object as invalid: retrying cannot help. */
    static final class InvalidObjectException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InvalidObjectException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private Creation() {}

    /**
     * Creates the object unless it exists.
     *
     * @param client the client
     * @param object the object
     * @return the outcome
     * @throws InvalidObjectException when the API server says the object is invalid (400, 422)
     * @throws KubernetesClientException for other failures, which are worth retrying
     */
    static Result createIfAbsent(KubernetesClient client, HasMetadata object) {
        try {
            return new Result(Outcome.CREATED, client.resource(object).create());
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return new Result(Outcome.EXISTED, null);
            }
            if (e.getCode() == 400 || e.getCode() == 422) {
                String detail = e.getStatus() != null && e.getStatus().getMessage() != null
                        ? e.getStatus().getMessage()
                        : e.getMessage();
                throw new InvalidObjectException(
                        "the API server rejected " + object.getKind() + " "
                                + object.getMetadata().getName() + ": " + detail,
                        e);
            }
            throw e;
        }
    }
}
