package org.jupyterhub.kubespawner.operator.instance;

import java.time.Instant;
import java.util.List;
import org.jupyterhub.kubespawner.operator.access.AccessVerdict;
import org.jupyterhub.kubespawner.operator.template.TemplateResolution;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancestatus.Suspension;

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
 * @param lifecycle suspension, lifetime and deprecation facts
 * @param access whether the user may use the template now, or null when the template restricts nothing (or was not
 *     resolved)
 * @param address where the hub reaches the ready pod when its template declares spec.serverUrlFrom, or null (the
 *     pod's IP, or the template's server-url annotation)
 */
public record InstanceFacts(
        long generation,
        TemplateResolution resolution,
        Rejection rejection,
        Waiting waiting,
        Spawn spawn,
        PodObservation notebookPod,
        Instant startedAt,
        boolean deleting,
        LifecycleFacts lifecycle,
        AccessVerdict access,
        ServerAddress address) {

    /**
     * The facts of the lifecycle.
     *
     * @param suspension the suspension status records: held (suspended), or still recorded while a resume is under
     *     way; null when none
     * @param suspended whether the server is held suspended
     * @param going while suspended, how many pods (and services) are still being deleted
     * @param servicesDeleted whether suspending deletes the services
     * @param lifetime the limits of a running server, or null
     * @param deprecations what is deprecated about the instance
     */
    public record LifecycleFacts(
            Suspension suspension,
            boolean suspended,
            int going,
            boolean servicesDeleted,
            LifetimeLimits.Lifetime lifetime,
            List<Deprecations.Notice> deprecations) {

        /** Nothing suspended, no limits, nothing deprecated. */
        public static final LifecycleFacts NONE = new LifecycleFacts(null, false, 0, false, null, List.of());

        /**
         * Copies the list.
         *
         * @param suspension see {@link #suspension()}
         * @param suspended see {@link #suspended()}
         * @param going see {@link #going()}
         * @param servicesDeleted see {@link #servicesDeleted()}
         * @param lifetime see {@link #lifetime()}
         * @param deprecations see {@link #deprecations()}
         */
        public LifecycleFacts {
            deprecations = List.copyOf(deprecations);
        }
    }

    /**
     * Facts without lifecycle, of a template that restricts nothing.
     *
     * @param generation see {@link #generation()}
     * @param resolution see {@link #resolution()}
     * @param rejection see {@link #rejection()}
     * @param waiting see {@link #waiting()}
     * @param spawn see {@link #spawn()}
     * @param notebookPod see {@link #notebookPod()}
     * @param startedAt see {@link #startedAt()}
     * @param deleting see {@link #deleting()}
     */
    public InstanceFacts(
            long generation,
            TemplateResolution resolution,
            Rejection rejection,
            Waiting waiting,
            Spawn spawn,
            PodObservation notebookPod,
            Instant startedAt,
            boolean deleting) {
        this(
                generation,
                resolution,
                rejection,
                waiting,
                spawn,
                notebookPod,
                startedAt,
                deleting,
                LifecycleFacts.NONE,
                null,
                null);
    }
}
