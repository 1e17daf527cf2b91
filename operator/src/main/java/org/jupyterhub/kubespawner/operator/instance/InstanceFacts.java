package org.jupyterhub.kubespawner.operator.instance;

import java.time.Instant;
import org.jupyterhub.kubespawner.operator.template.TemplateResolution;

/**
 * Everything the instance's status is computed from: what the reconciler found and did, no client calls.
 *
 * @param generation the instance's metadata.generation
 * @param resolution the template lookup
 * @param rejection why nothing may be created, or null (includes objects the API server refused and name
 *     conflicts)
 * @param waiting why nothing is created yet although nothing is wrong, or null
 * @param spawn what exists for the instance, or null when nothing was created (yet)
 * @param notebookPod the notebook pod's observed state
 * @param startedAt when the wait for readiness started (the notebook pod's creation), or null
 * @param deleting whether the instance is being deleted (it has a deletionTimestamp)
 */
public record InstanceFacts(
        long generation,
        TemplateResolution resolution,
        Rejection rejection,
        Waiting waiting,
        Spawn spawn,
        PodObservation notebookPod,
        Instant startedAt,
        boolean deleting) {}
