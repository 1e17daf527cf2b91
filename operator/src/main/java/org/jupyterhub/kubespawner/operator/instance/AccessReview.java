package org.jupyterhub.kubespawner.operator.instance;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import org.jupyterhub.kubespawner.operator.access.AccessIndex;
import org.jupyterhub.kubespawner.operator.access.AccessReaction;
import org.jupyterhub.kubespawner.operator.access.AccessRules;
import org.jupyterhub.kubespawner.operator.access.AccessVerdict;
import org.jupyterhub.kubespawner.operator.access.HubUser;
import org.jupyterhub.kubespawner.operator.access.TemplateAccess;
import org.jupyterhub.kubespawner.operator.template.TemplateResolution;
import org.jupyterhub.kubespawner.operator.vocabulary.Reason;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;

/**
 * The access step of every reconcile of an instance whose template restricts access: the verdict for its user now
 * ({@link AccessRules}, over the rules kept in memory by the JupyterNotebookAccess informer), which a spawn must pass
 * and which a running server keeps being held to; and the reaction when a running server's user is no longer
 * granted (policy.access.whenAccessEnds): Keep leaves it to the hub, Delete deletes the instance.
 */
final class AccessReview {

    /** How soon a deletion the API server refused is asked for again. */
    static final Duration RETRY_DELETE = Duration.ofSeconds(30);

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AccessReview.class);

    /** A window that closes is looked at this long after it closed, so the clock never reads "not yet". */
    private static final Duration AFTER_CHANGE = Duration.ofMillis(500);

    private final InstanceCluster cluster;

    AccessReview(InstanceCluster cluster) {
        this.cluster = cluster;
    }

    /**
     * The verdict for an instance now.
     *
     * @param instance the instance
     * @param resolution its template lookup
     * @param now the time
     * @return the verdict, or null when the template restricts nothing (or was not resolved)
     */
    AccessVerdict verdict(JupyterNotebookInstance instance, TemplateResolution resolution, Instant now) {
        if (!(resolution instanceof TemplateResolution.Resolved resolved)) {
            return null;
        }
        AccessIndex index = cluster.access();
        TemplateAccess template = index.templateAccess(resolved.template());
        if (template == null) {
            return null;
        }
        return AccessRules.decide(
                template, index.rulesFor(template.namespace(), template.name()), HubUser.of(instance), now);
    }

    /**
     * Acts on a running server whose user is no longer granted its template: deletes the instance when the template
     * says Delete (once: an instance already being deleted is left alone).
     *
     * @param instance the instance, its spawn recorded or just done
     * @param verdict the verdict, may be null
     * @return false when the deletion failed (logged; to be asked again after {@link #RETRY_DELETE})
     */
    boolean react(JupyterNotebookInstance instance, AccessVerdict verdict) {
        if (!ended(verdict)
                || whenAccessEnds(verdict) != AccessReaction.Delete
                || instance.getMetadata().getDeletionTimestamp() != null) {
            return true;
        }
        try {
            cluster.deleteInstance(instance);
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return true; // gone already
            }
            LOG.warn(
                    "{}/{}: access ended and the template says Delete, but deleting the instance failed: {}",
                    instance.getMetadata().getNamespace(),
                    instance.getMetadata().getName(),
                    e.getMessage());
            return false;
        }
    }

    /**
     * The suspension of a running server whose user's access ended under whenAccessEnds: Suspend.
     *
     * @param verdict the verdict, may be null
     * @return the stop to make, or null when access did not end or the template keeps or deletes
     */
    static Stop suspension(AccessVerdict verdict) {
        if (!ended(verdict) || whenAccessEnds(verdict) != AccessReaction.Suspend) {
            return null;
        }
        return new Stop(
                Reason.AccessEnded,
                Stop.Action.SUSPEND,
                "access ended (whenAccessEnds: Suspend): " + verdict.message());
    }

    /**
     * Whether a verdict refuses the user.
     *
     * @param verdict the verdict, may be null
     * @return true for Denied and Unidentified
     */
    static boolean ended(AccessVerdict verdict) {
        return verdict instanceof AccessVerdict.Denied || verdict instanceof AccessVerdict.Unidentified;
    }

    /**
     * What happens to a running server under a refusing verdict.
     *
     * @param verdict a refusing verdict
     * @return the template's reaction
     */
    static AccessReaction whenAccessEnds(AccessVerdict verdict) {
        if (verdict instanceof AccessVerdict.Denied d) {
            return d.whenAccessEnds();
        }
        return verdict instanceof AccessVerdict.Unidentified u ? u.whenAccessEnds() : AccessReaction.Keep;
    }

    /**
     * The sooner of a recheck and the moment the verdict may change by itself.
     *
     * @param verdict the verdict, may be null
     * @param recheck the recheck asked for otherwise, may be null
     * @param now the time
     * @return the recheck delay, or null
     */
    static Duration recheck(AccessVerdict verdict, Duration recheck, Instant now) {
        if (verdict == null || verdict.nextChange() == null) {
            return recheck;
        }
        Duration untilChange = Duration.between(now, verdict.nextChange()).plus(AFTER_CHANGE);
        if (untilChange.isNegative()) {
            untilChange = AFTER_CHANGE;
        }
        return recheck == null || untilChange.compareTo(recheck) < 0 ? untilChange : recheck;
    }
}
