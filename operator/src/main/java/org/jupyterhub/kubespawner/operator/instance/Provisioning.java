package org.jupyterhub.kubespawner.operator.instance;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import org.jupyterhub.kubespawner.operator.vocabulary.Reason;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancestatus.Resources;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancestatus.ResourcesBuilder;

/**
 * Creates a spawn's objects in order (claims, network policies, services, pods). An object that already exists is
 * used only when {@link Ownership} proves it this instance's; anything else stops the spawn before the next object,
 * and the existing object is never modified or deleted. Creation without a check would let a colliding name hand
 * one user's pod or home directory to another.
 */
final class Provisioning {

    /** Where objects are looked up and created. */
    interface Objects {
        /**
         * The object of this kind and name known to the operator's caches, or null.
         *
         * @param desired the object wanted
         * @return the cached object with that kind, namespace and name, or null
         */
        HasMetadata cached(HasMetadata desired);

        /**
         * Creates the object.
         *
         * @param object the object
         * @return the created object
         * @throws KubernetesClientException from the API server (409 when the name is taken)
         */
        HasMetadata create(HasMetadata object);

        /**
         * Reads the object of this kind and name from the API server.
         *
         * @param desired the object wanted
         * @return the existing object, or null
         */
        HasMetadata read(HasMetadata desired);

        /**
         * Reads and creates through a client; the cache is the caller's.
         *
         * @param client the client
         * @param cache looks up the operator's informer caches
         * @return the objects
         */
        static Objects of(KubernetesClient client, java.util.function.Function<HasMetadata, HasMetadata> cache) {
            return new Objects() {
                @Override
                public HasMetadata cached(HasMetadata desired) {
                    return cache.apply(desired);
                }

                @Override
                public HasMetadata create(HasMetadata object) {
                    return client.resource(object).create();
                }

                @Override
                public HasMetadata read(HasMetadata desired) {
                    return client.resource(desired).get();
                }
            };
        }
    }

    /** What happened to one object. */
    enum Done {
        /** Created now. */
        CREATED,
        /** Existed and is provably this instance's: created by an earlier reconcile, or its retained claim. */
        FOUND,
        /** A KubeSpawner claim of the same user, used as it is. */
        ADOPTED
    }

    /**
     * One object handled.
     *
     * @param object the desired object
     * @param done what happened
     * @param created the object as the API server returned it (CREATED only), else null
     * @param note for ADOPTED, why it was adopted
     */
    record Step(DesiredObject object, Done done, HasMetadata created, String note) {}

    /** How the spawn's provisioning ended. */
    sealed interface Outcome {
        /** @return the objects handled before the outcome, in order */
        List<Step> steps();

        /**
         * Every object exists and is this instance's.
         *
         * @param spawn the spawn, to record in status
         * @param steps every object, in order
         */
        record Complete(Spawn spawn, List<Step> steps) implements Outcome {}

        /**
         * Stopped at an object of an earlier instance of the same name that is going away; try again later.
         *
         * @param message what is awaited
         * @param steps the objects handled before
         */
        record Waiting(String message, List<Step> steps) implements Outcome {}

        /**
         * Stopped for good: a name conflict or an object the API server finds invalid.
         *
         * @param reason NameConflict or CreateFailed
         * @param message names the object and the problem
         * @param steps the objects handled before
         */
        record Refused(Reason reason, String message, List<Step> steps) implements Outcome {}
    }

    private final Objects objects;

    Provisioning(Objects objects) {
        this.objects = objects;
    }

    /**
     * Creates what is missing.
     *
     * @param desired the spawn's objects
     * @param instanceName the instance's name
     * @param uid the instance's uid
     * @return the outcome
     * @throws KubernetesClientException for failures worth retrying (API server unavailable, forbidden, quota)
     */
    Outcome provision(DesiredState desired, String instanceName, String uid) {
        Ownership.Claimant claimant = new Ownership.Claimant(instanceName, uid, desired.userIdentity());
        List<Step> steps = new ArrayList<>(desired.objects().size());
        for (DesiredObject object : desired.objects()) {
            HasMetadata existing = objects.cached(object.object());
            if (existing == null) {
                try {
                    steps.add(new Step(object, Done.CREATED, objects.create(object.object()), null));
                    continue;
                } catch (KubernetesClientException e) {
                    if (e.getCode() == 400 || e.getCode() == 422) {
                        return new Outcome.Refused(Reason.CreateFailed, rejected(object, e), steps);
                    }
                    if (e.getCode() != 409) {
                        throw e;
                    }
                }
                existing = objects.read(object.object());
                if (existing == null) {
                    return new Outcome.Waiting(object.kind() + " " + object.name() + " was just deleted", steps);
                }
            }
            Ownership.Verdict verdict = Ownership.judge(existing, object, claimant, desired.adoptKubeSpawnerClaims());
            if (verdict instanceof Ownership.Verdict.Leftover leftover) {
                return new Outcome.Waiting(leftover.message(), steps);
            }
            if (verdict instanceof Ownership.Verdict.Conflict conflict) {
                return new Outcome.Refused(Reason.NameConflict, conflict.message(), steps);
            }
            steps.add(
                    verdict instanceof Ownership.Verdict.Adopted adopted
                            ? new Step(object, Done.ADOPTED, null, adopted.message())
                            : new Step(object, Done.FOUND, null, null));
        }
        return new Outcome.Complete(spawn(desired, steps), steps);
    }

    private static Spawn spawn(DesiredState desired, List<Step> steps) {
        List<Resources> resources = new ArrayList<>(steps.size());
        for (Step step : steps) {
            DesiredObject object = step.object();
            resources.add(new ResourcesBuilder()
                    .withApiVersion(object.object().getApiVersion())
                    .withKind(object.kind())
                    .withName(object.name())
                    .withState(object.retained() ? "Retained" : "Created")
                    .withMessage(
                            switch (step.done()) {
                                case CREATED -> null;
                                case FOUND -> object.retained() ? "already existed; used as it is" : null;
                                case ADOPTED -> "made by KubeSpawner for the same user; adopted as it is";
                            })
                    .build());
        }
        return new Spawn(desired.templateGeneration(), desired.notebookPod(), desired.notebookPort(), resources);
    }

    private static String rejected(DesiredObject object, KubernetesClientException e) {
        String detail = e.getStatus() != null && e.getStatus().getMessage() != null
                ? e.getStatus().getMessage()
                : e.getMessage();
        return "the API server rejected " + object.kind() + " " + object.name() + ": " + detail;
    }
}
