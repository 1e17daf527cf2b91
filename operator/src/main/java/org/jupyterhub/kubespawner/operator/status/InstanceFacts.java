package org.jupyterhub.kubespawner.operator.status;

import java.time.Instant;
import org.jupyterhub.kubespawner.operator.instance.Rejection;
import org.jupyterhub.kubespawner.operator.template.TemplateResolution;

/**
 * Everything the instance's status is computed from: what the reconciler found and did, no client calls.
 *
 * @param generation the instance's metadata.generation
 * @param resolution the template lookup
 * @param rejection why nothing may be created, or null
 * @param createFailure why creating an object failed for good, or null
 * @param spawn what exists for the instance, or null when nothing was created (yet)
 * @param notebookPod the notebook pod's observed state
 * @param startedAt when the wait for readiness started (the notebook pod's creation), or null
 */
public record InstanceFacts(
        long generation,
        TemplateResolution resolution,
        Rejection rejection,
        String createFailure,
        Spawn spawn,
        PodObservation notebookPod,
        Instant startedAt) {}
