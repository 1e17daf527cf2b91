package org.jupyterhub.kubespawner.operator.instance;

import java.time.Duration;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancetemplatespec.Policy;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancetemplatespec.policy.Lifecycle;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancetemplatespec.policy.lifecycle.ActivityProbe;

/**
 * A template's {@code policy.lifecycle} with its defaults filled in.
 *
 * @param maxAge the longest a server may run, or null
 * @param idleLimit the longest a server may stay idle, or null
 * @param onLimit what reaching a limit does (SUSPEND or DELETE)
 * @param deleteServicesOnSuspend whether suspending deletes the services too
 * @param resumeFromCurrent whether a resume renders the template's current generation (else the kept rendering)
 * @param probe the activity probe, or null
 */
record LifecyclePolicy(
        Duration maxAge,
        Duration idleLimit,
        Stop.Action onLimit,
        boolean deleteServicesOnSuspend,
        boolean resumeFromCurrent,
        Probe probe) {

    /** No limits, suspend keeps services, resume from the kept rendering. */
    static final LifecyclePolicy NONE = new LifecyclePolicy(null, null, Stop.Action.SUSPEND, false, false, null);

    /** A server's base path when the instance does not name one. */
    static final String PREFIX_ENV = "JUPYTERHUB_SERVICE_PREFIX";

    /**
     * The activity probe with its defaults.
     *
     * @param path the path (relative: against the server's base path)
     * @param port the port, or null for the notebook port
     * @param interval how often
     * @param timeout how long one probe may take
     * @param secret the token's Secret (in the template's namespace)
     * @param key the token's key
     */
    record Probe(String path, Integer port, Duration interval, Duration timeout, String secret, String key) {}

    /**
     * The template's lifecycle policy.
     *
     * @param template the template, may be null
     * @return the policy ({@link #NONE} without one)
     */
    static LifecyclePolicy of(JupyterNotebookInstanceTemplate template) {
        Policy policy = template == null || template.getSpec() == null
                ? null
                : template.getSpec().getPolicy();
        Lifecycle l = policy == null ? null : policy.getLifecycle();
        if (l == null) {
            return NONE;
        }
        ActivityProbe p = l.getActivityProbe();
        Probe probe = p == null || p.getTokenSecretRef() == null
                ? null
                : new Probe(
                        p.getPath(),
                        p.getPort(),
                        Duration.ofSeconds(p.getIntervalSeconds() == null ? 60 : p.getIntervalSeconds()),
                        Duration.ofSeconds(p.getTimeoutSeconds() == null ? 5 : p.getTimeoutSeconds()),
                        p.getTokenSecretRef().getName(),
                        p.getTokenSecretRef().getKey() == null
                                ? "token"
                                : p.getTokenSecretRef().getKey());
        return new LifecyclePolicy(
                l.getMaxAgeSeconds() == null ? null : Duration.ofSeconds(l.getMaxAgeSeconds()),
                l.getIdleLimitSeconds() == null || probe == null ? null : Duration.ofSeconds(l.getIdleLimitSeconds()),
                l.getOnLimit() == Lifecycle.OnLimit.DELETE ? Stop.Action.DELETE : Stop.Action.SUSPEND,
                Boolean.TRUE.equals(l.getDeleteServicesOnSuspend()),
                l.getResume() == Lifecycle.Resume.CURRENTGENERATION,
                probe);
    }

    /**
     * How far the last activity must move before status (and a reconcile) follows it: the probe interval, or a
     * twelfth of the idle limit when that is longer. A busy server costs at most a dozen status writes per idle limit.
     *
     * @return the resolution, or null without a probe
     */
    Duration resolution() {
        if (probe == null) {
            return null;
        }
        if (idleLimit == null) {
            return probe.interval();
        }
        Duration twelfth = idleLimit.dividedBy(12);
        return twelfth.compareTo(probe.interval()) > 0 ? twelfth : probe.interval();
    }
}
