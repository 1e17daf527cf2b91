package org.jupyterhub.kubespawner.operator.instance;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import org.jupyterhub.kubespawner.operator.vocabulary.Reason;
import org.jupyterhub.kubespawner.templating.CompiledTemplate;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancespec.EnvSecretRef;

/**
 * The spawn of an instance whose status records none yet, in the order that keeps a flood cheap and the boundary
 * tight: plan (pure: values, policy, render), take a spawn slot, check the environment Secret's metadata, then create
 * the objects ({@link Provisioning}). Everything before the creation is decided before anything exists.
 */
final class Spawning {

    /**
     * What the attempt came to: exactly one of spawn, rejection and waiting is set.
     *
     * @param spawn the complete spawn
     * @param rejection why nothing (more) may be created
     * @param waiting why nothing (more) is created yet
     * @param steps the objects handled, in order (for Events)
     */
    record Attempt(Spawn spawn, Rejection rejection, Waiting waiting, List<Provisioning.Step> steps) {

        static Attempt rejected(Rejection rejection, List<Provisioning.Step> steps) {
            return new Attempt(null, rejection, null, steps);
        }

        static Attempt waiting(Reason reason, String message, List<Provisioning.Step> steps) {
            return new Attempt(null, null, new Waiting(reason, message), steps);
        }
    }

    private final SpawnSlots slots;
    private final SecretMetadata secrets;
    private final EnvSecretCheck.HubLabel hubLabel;

    Spawning(SpawnSlots slots, SecretMetadata secrets, EnvSecretCheck.HubLabel hubLabel) {
        this.slots = slots;
        this.secrets = secrets;
        this.hubLabel = hubLabel;
    }

    /**
     * Tries to spawn.
     *
     * @param instance the instance
     * @param template its resolved template
     * @param compiled the template compiled
     * @param provisioning creates the objects
     * @return the attempt
     * @throws KubernetesClientException for failures worth retrying (reading the Secret, creating objects)
     */
    Attempt attempt(
            JupyterNotebookInstance instance,
            JupyterNotebookInstanceTemplate template,
            CompiledTemplate compiled,
            Provisioning provisioning) {
        Plan plan = InstancePlanner.plan(instance, template, compiled);
        if (plan instanceof Plan.Reject reject) {
            return Attempt.rejected(reject.rejection(), List.of());
        }
        DesiredState desired = ((Plan.Create) plan).desired();
        String key = key(instance);
        if (!slots.take(key)) {
            return Attempt.waiting(
                    Reason.SpawnQueued,
                    "waiting for a free spawn slot: " + slots.inUse() + " servers are being started at once (the"
                            + " operator's maxConcurrentSpawns is " + slots.max() + ")",
                    List.of());
        }
        String secretProblem = secretProblem(instance);
        if (secretProblem != null) {
            slots.release(key);
            return Attempt.rejected(new Rejection(Reason.SecretRejected, List.of(secretProblem)), List.of());
        }
        Provisioning.Outcome outcome = provisioning.provision(
                desired,
                instance.getMetadata().getName(),
                instance.getMetadata().getUid());
        if (outcome instanceof Provisioning.Outcome.Complete complete) {
            return new Attempt(complete.spawn(), null, null, complete.steps());
        }
        if (outcome instanceof Provisioning.Outcome.Waiting waiting) {
            return Attempt.waiting(Reason.ObjectTerminating, waiting.message(), waiting.steps());
        }
        Provisioning.Outcome.Refused refused = (Provisioning.Outcome.Refused) outcome;
        slots.release(key);
        return Attempt.rejected(new Rejection(refused.reason(), List.of(refused.message())), refused.steps());
    }

    private String secretProblem(JupyterNotebookInstance instance) {
        EnvSecretRef ref = instance.getSpec().getEnvSecretRef();
        if (ref == null || ref.getName() == null) {
            return null;
        }
        String ns = instance.getMetadata().getNamespace();
        return EnvSecretCheck.problem(
                instance.getMetadata().getName(), ref.getName(), secrets.get(ns, ref.getName()), hubLabel);
    }

    /**
     * The key of an instance's spawn slot.
     *
     * @param instance the instance
     * @return namespace/name
     */
    static String key(JupyterNotebookInstance instance) {
        return instance.getMetadata().getNamespace() + "/"
                + instance.getMetadata().getName();
    }
}
