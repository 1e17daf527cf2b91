package org.jupyterhub.kubespawner.operator.instance;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Instant;
import org.jupyterhub.kubespawner.operator.activity.ActivityReading;
import org.jupyterhub.kubespawner.operator.activity.ProbeTarget;
import org.jupyterhub.kubespawner.operator.vocabulary.Reason;
import org.jupyterhub.kubespawner.templating.CompiledTemplate;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancestatus.Suspension;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancestatus.SuspensionBuilder;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancestatus.suspension.Rendering;

/**
 * The lifecycle steps of a reconcile besides the spawn: suspending a server (delete what runs, keep its rendering
 * for the resume), resuming it from that rendering, probing a running server's activity and evaluating the
 * template's lifetime limits ({@link LifetimeLimits}).
 */
final class Lifecycle {

    /**
     * A suspension carried out this reconcile.
     *
     * @param suspension the suspension to record (with the rendering kept, when it began now)
     * @param going how many pods (and services) are still being deleted
     */
    record Suspended(Suspension suspension, int going) {}

    private final InstanceCluster cluster;
    private final Suspending suspending;

    Lifecycle(InstanceCluster cluster) {
        this.cluster = cluster;
        this.suspending = new Suspending(cluster);
    }

    /**
     * Suspends: stops probing, deletes the pods (and services), and on the first reconcile of a suspension keeps
     * the spawn's rendering when the template resumes from it and has not changed since the spawn.
     *
     * @param instance the instance
     * @param held the suspension
     * @param template the template, or null when it is not resolved
     * @param compiled the template compiled, or null
     * @param policy its lifecycle policy
     * @param spawn the spawn that ran, or null
     * @return the suspension and what is still going
     */
    Suspended suspend(
            JupyterNotebookInstance instance,
            Suspension held,
            JupyterNotebookInstanceTemplate template,
            CompiledTemplate compiled,
            LifecyclePolicy policy,
            Spawn spawn) {
        cluster.stopProbing(ResourceID.fromResource(instance));
        boolean begins = instance.getStatus() == null || instance.getStatus().getSuspension() == null;
        Suspension suspension = held;
        if (begins && held.getRendering() == null && !policy.resumeFromCurrent()) {
            Rendering rendering = rendering(instance, template, compiled, spawn);
            if (rendering != null) {
                suspension =
                        new SuspensionBuilder(held).withRendering(rendering).build();
            }
        }
        return new Suspended(suspension, suspending.stop(instance, policy.deleteServicesOnSuspend()));
    }

    /** The spawn rendered again, when the template is still at the spawn's generation (else it cannot be). */
    private static Rendering rendering(
            JupyterNotebookInstance instance,
            JupyterNotebookInstanceTemplate template,
            CompiledTemplate compiled,
            Spawn spawn) {
        if (spawn == null || template == null || compiled == null) {
            return null;
        }
        Long generation = template.getMetadata().getGeneration();
        if (generation == null || generation != spawn.templateGeneration()) {
            return null;
        }
        Plan plan = InstancePlanner.plan(instance, template, compiled);
        return plan instanceof Plan.Create create ? KeptRendering.keep(create.desired()) : null;
    }

    /**
     * What a resume creates from, when not from the template's current generation.
     *
     * @param resuming the suspension status records
     * @param policy the template's lifecycle policy
     * @param template the template
     * @return the kept rendering, or null to render the current generation
     */
    static DesiredState kept(Suspension resuming, LifecyclePolicy policy, JupyterNotebookInstanceTemplate template) {
        if (resuming == null || resuming.getRendering() == null || policy.resumeFromCurrent()) {
            return null;
        }
        boolean adopt = template.getSpec().getPolicy() != null
                && Boolean.TRUE.equals(template.getSpec().getPolicy().getAdoptKubeSpawnerClaims());
        return KeptRendering.desired(resuming.getRendering(), adopt);
    }

    /**
     * Probes a ready server and evaluates its limits; stops probing one that is not ready.
     *
     * @param instance the instance
     * @param policy the lifecycle policy
     * @param template the template (its namespace holds the probe's Secret), or null
     * @param spawn the spawn, or null
     * @param seen the notebook pod as seen, or null
     * @param now the time
     * @return the lifetime, or null when the server is not ready or the template sets no limit or probe
     */
    LifetimeLimits.Lifetime lifetime(
            JupyterNotebookInstance instance,
            LifecyclePolicy policy,
            JupyterNotebookInstanceTemplate template,
            Spawn spawn,
            NotebookPodWatch.Seen seen,
            Instant now) {
        ResourceID id = ResourceID.fromResource(instance);
        boolean limited = policy.maxAge() != null || policy.probe() != null;
        if (!limited
                || spawn == null
                || template == null
                || seen == null
                || !(seen.observation() instanceof PodObservation.Ready ready)) {
            cluster.stopProbing(id);
            return null;
        }
        ActivityReading reading = new ActivityReading.Unknown();
        if (policy.probe() != null) {
            LifecyclePolicy.Probe p = policy.probe();
            try {
                String prefix = instance.getSpec().getEnv() == null
                        ? null
                        : instance.getSpec().getEnv().get(LifecyclePolicy.PREFIX_ENV);
                ProbeTarget target = new ProbeTarget(
                        ProbeTarget.uri(ready.podIP(), p.port() == null ? spawn.port() : p.port(), p.path(), prefix),
                        template.getMetadata().getNamespace(),
                        p.secret(),
                        p.key(),
                        p.interval(),
                        p.timeout(),
                        policy.resolution(),
                        policy.idleLimit());
                reading = cluster.activity(id, target);
            } catch (IllegalArgumentException e) {
                cluster.stopProbing(id);
                reading = new ActivityReading.Failure(
                        Reason.ProbeMalformed, "the activity probe has no valid URL: " + e.getMessage());
            }
        }
        return LifetimeLimits.evaluate(policy, seen.createdAt(), reading, instance.getStatus(), now);
    }
}
