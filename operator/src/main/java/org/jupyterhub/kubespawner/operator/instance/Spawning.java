package org.jupyterhub.kubespawner.operator.instance;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.jupyterhub.kubespawner.operator.access.AccessVerdict;
import org.jupyterhub.kubespawner.operator.access.Quotas;
import org.jupyterhub.kubespawner.operator.access.ServerRequests;
import org.jupyterhub.kubespawner.operator.vocabulary.Reason;
import org.jupyterhub.kubespawner.templating.CompiledTemplate;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancespec.EnvSecretRef;

/**
 * The spawn of an instance whose status records none yet, in the order that keeps a flood cheap and the boundary
 * tight: access (the template's rules for the instance's user, decided before), plan (pure: values, policy, render),
 * quotas ({@link QuotaCheck}, counted from memory), take a spawn slot, check the environment Secret's metadata, then
 * create the objects ({@link Provisioning}). Everything before the creation is decided before anything exists.
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
    private final QuotaCheck quotas;
    private final SecretMetadata secrets;
    private final EnvSecretCheck.HubLabel hubLabel;

    Spawning(SpawnSlots slots, QuotaCheck quotas, SecretMetadata secrets, EnvSecretCheck.HubLabel hubLabel) {
        this.slots = slots;
        this.quotas = quotas;
        this.secrets = secrets;
        this.hubLabel = hubLabel;
    }

    /**
     * Tries to spawn (or to resume: then from the rendering kept at suspension, when there is one).
     *
     * @param instance the instance
     * @param template its resolved template
     * @param compiled the template compiled
     * @param provisioning creates the objects
     * @param kept the rendering kept at suspension, or null to render the template's current generation
     * @param deprecated why a deprecated template or value refuses new servers, or null
     * @param access the access verdict for the instance's user, or null when the template restricts nothing
     * @return the attempt
     * @throws KubernetesClientException for failures worth retrying (reading the Secret, creating objects)
     */
    Attempt attempt(
            JupyterNotebookInstance instance,
            JupyterNotebookInstanceTemplate template,
            CompiledTemplate compiled,
            Provisioning provisioning,
            DesiredState kept,
            Rejection deprecated,
            AccessVerdict access) {
        if (access instanceof AccessVerdict.Denied || access instanceof AccessVerdict.Unidentified) {
            boolean denied = access instanceof AccessVerdict.Denied;
            return Attempt.rejected(
                    new Rejection(
                            denied ? Reason.AccessDenied : Reason.UserRejected,
                            List.of(denied ? "access denied: " + access.message() : access.message())),
                    List.of());
        }
        if (deprecated != null) {
            return Attempt.rejected(deprecated, List.of());
        }
        Plan plan = kept == null ? InstancePlanner.plan(instance, template, compiled) : checked(kept, template);
        if (plan instanceof Plan.Reject reject) {
            return Attempt.rejected(reject.rejection(), List.of());
        }
        DesiredState desired = ((Plan.Create) plan).desired();
        Map<String, BigDecimal> requests = ServerRequests.of(desired.objects().stream()
                .filter(o -> o.object() instanceof Pod)
                .map(o -> (Pod) o.object())
                .toList());
        Quotas.Refusal overQuota = quotas.admit(instance, requests);
        if (overQuota != null) {
            Reason why = overQuota.unidentified() ? Reason.UserRejected : Reason.QuotaExceeded;
            return Attempt.rejected(new Rejection(why, List.of(overQuota.message())), List.of());
        }
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
            Spawn spawn = complete.spawn().withRequests(ServerRequests.recorded(requests));
            return new Attempt(spawn, null, null, complete.steps());
        }
        if (outcome instanceof Provisioning.Outcome.Waiting waiting) {
            return new Attempt(
                    null, null, new Waiting(waiting.reason(), waiting.message(), waiting.resources()), waiting.steps());
        }
        Provisioning.Outcome.Refused refused = (Provisioning.Outcome.Refused) outcome;
        slots.release(key);
        return Attempt.rejected(new Rejection(refused.reason(), List.of(refused.message())), refused.steps());
    }

    /** A kept rendering, still allowed by the template's current policy. */
    private static Plan checked(DesiredState kept, JupyterNotebookInstanceTemplate template) {
        Rejection rejection = KeptRendering.check(kept, template);
        return rejection == null ? new Plan.Create(kept) : new Plan.Reject(rejection);
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
