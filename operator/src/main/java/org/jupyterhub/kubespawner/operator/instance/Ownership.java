package org.jupyterhub.kubespawner.operator.instance;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import java.util.Map;
import java.util.Objects;
import org.jupyterhub.kubespawner.operator.ManagedLabels;

/**
 * Whether an object that already exists under a rendered name is provably this instance's. Never by name alone
 * (apimachinery's {@code IsControlledBy}): owned objects must be controlled by this instance's uid; a retained claim
 * must carry the stamp the operator put on it for an instance of this name and user identity; a claim KubeSpawner
 * made is used only when the template opts in and it belongs to the same user. A pure function.
 */
public final class Ownership {

    /** The annotation the operator stamps on retained claims: the user identity of the instance they were made for. */
    public static final String USER_IDENTITY = "kubespawner.jupyterhub.org/user-identity";
    /** KubeSpawner's (and JupyterHub's) annotation and label naming the user. */
    static final String HUB_USERNAME = "hub.jupyter.org/username";

    private static final String INSTANCE_KIND = "JupyterNotebookInstance";

    private Ownership() {}

    /**
     * Who asks: the instance's name and uid, and the user identity its template rendered.
     *
     * @param name the instance's name
     * @param uid the instance's uid
     * @param userIdentity the rendered policy.userIdentity, empty when the template sets none
     */
    public record Claimant(String name, String uid, String userIdentity) {}

    /** The verdict on one existing object. */
    public sealed interface Verdict {
        /** Created by the operator for this instance (or, for a retained claim, for this name and identity). */
        record Mine() implements Verdict {}

        /**
         * A claim KubeSpawner made for the same user, used as it is because the template opts in.
         *
         * @param message what was adopted and why, for the audit Event
         */
        record Adopted(String message) implements Verdict {}

        /**
         * Left by an earlier instance of the same name and going away: wait for it to be gone, then create anew.
         *
         * @param message what is awaited
         */
        record Leftover(String message) implements Verdict {}

        /**
         * Someone else's: nothing may be adopted, modified or deleted.
         *
         * @param message names the object, its owner or lack of one, and the rendered name
         */
        record Conflict(String message) implements Verdict {}
    }

    /**
     * Judges an existing object with the name of one desired object.
     *
     * @param existing the object found (metadata: labels, annotations, the controller's owner reference)
     * @param desired what the instance would have created
     * @param claimant the instance
     * @param adoptKubeSpawnerClaims the template's policy.adoptKubeSpawnerClaims
     * @return the verdict
     */
    public static Verdict judge(
            HasMetadata existing, DesiredObject desired, Claimant claimant, boolean adoptKubeSpawnerClaims) {
        ObjectMeta meta = existing.getMetadata();
        String what = desired.kind() + " " + desired.name();
        OwnerReference controller = controller(meta);
        if (controller != null && claimant.uid() != null && claimant.uid().equals(controller.getUid())) {
            return new Verdict.Mine();
        }
        if (!desired.retained()) {
            if (controller != null
                    && INSTANCE_KIND.equals(controller.getKind())
                    && claimant.name().equals(controller.getName())) {
                return new Verdict.Leftover(what + " still belongs to an earlier instance " + claimant.name() + " (uid "
                        + controller.getUid() + ") and is being removed");
            }
            return new Verdict.Conflict(conflict(what, meta, controller));
        }
        if (stampedFor(meta, claimant)) {
            return meta.getDeletionTimestamp() == null
                    ? new Verdict.Mine()
                    : new Verdict.Leftover(what + " is being deleted");
        }
        if (controller == null && isKubeSpawnerClaim(meta)) {
            String user = sameUser(meta, desired.object().getMetadata());
            if (user != null && adoptKubeSpawnerClaims) {
                return new Verdict.Adopted(what + " was made by KubeSpawner for user " + user
                        + " and is used as it is (policy.adoptKubeSpawnerClaims)");
            }
            return new Verdict.Conflict(what + " already exists: it was made by KubeSpawner"
                    + (user == null
                            ? " for another user (" + HUB_USERNAME + " " + describeUser(meta) + ", this instance's is "
                                    + describeUser(desired.object().getMetadata()) + ")"
                            : " for user " + user
                                    + ", and the template does not adopt KubeSpawner's claims (an admin sets"
                                    + " policy.adoptKubeSpawnerClaims: true to switch them over)"));
        }
        return new Verdict.Conflict(conflict(what, meta, controller));
    }

    /** The operator's stamp: made for an instance of this name, and (when stamped with one) this user identity. */
    private static boolean stampedFor(ObjectMeta meta, Claimant claimant) {
        if (!ManagedLabels.MANAGED_BY_VALUE.equals(label(meta, ManagedLabels.MANAGED_BY))
                || !claimant.name().equals(label(meta, ManagedLabels.INSTANCE))) {
            return false;
        }
        // Claims stamped before the template named an identity carry none: the instance name is their stamp.
        String identity = annotation(meta, USER_IDENTITY);
        return identity == null || identity.equals(claimant.userIdentity());
    }

    private static boolean isKubeSpawnerClaim(ObjectMeta meta) {
        return "singleuser-storage".equals(label(meta, "component"))
                && ("kubespawner".equals(label(meta, ManagedLabels.MANAGED_BY))
                        || "jupyterhub".equals(label(meta, "heritage")));
    }

    /**
     * The user both name, or null when they differ: KubeSpawner's annotation holds the user's name as JupyterHub knows
     * it (stable across KubeSpawner's slug schemes); only when either side lacks it does the label decide.
     */
    private static String sameUser(ObjectMeta existing, ObjectMeta desired) {
        String had = annotation(existing, HUB_USERNAME);
        String wants = annotation(desired, HUB_USERNAME);
        if (had != null && wants != null) {
            return had.equals(wants) ? "'" + had + "'" : null;
        }
        String hadLabel = label(existing, HUB_USERNAME);
        String wantsLabel = label(desired, HUB_USERNAME);
        return hadLabel != null && hadLabel.equals(wantsLabel) ? "'" + hadLabel + "'" : null;
    }

    private static String describeUser(ObjectMeta meta) {
        String name = annotation(meta, HUB_USERNAME);
        name = name == null ? label(meta, HUB_USERNAME) : name;
        return name == null ? "unset" : "'" + name + "'";
    }

    private static String conflict(String what, ObjectMeta meta, OwnerReference controller) {
        String whose;
        if (controller != null) {
            whose = "it is controlled by " + controller.getKind() + " " + controller.getName() + " (uid "
                    + controller.getUid() + ")";
        } else if (ManagedLabels.MANAGED_BY_VALUE.equals(label(meta, ManagedLabels.MANAGED_BY))) {
            String instance = label(meta, ManagedLabels.INSTANCE);
            String identity = annotation(meta, USER_IDENTITY);
            whose = "it was made by the operator for instance " + instance
                    + (identity == null ? "" : " of user identity '" + identity + "'")
                    + " and has no owner now";
        } else {
            String managedBy = label(meta, ManagedLabels.MANAGED_BY);
            whose = "it has no owner"
                    + (managedBy == null ? "" : " (" + ManagedLabels.MANAGED_BY + "=" + managedBy + ")");
        }
        return what + " already exists and is not this instance's: " + whose
                + "; the template renders this name for this instance, so nothing was created in its place";
    }

    private static OwnerReference controller(ObjectMeta meta) {
        if (meta.getOwnerReferences() == null) {
            return null;
        }
        return meta.getOwnerReferences().stream()
                .filter(r -> Boolean.TRUE.equals(r.getController()))
                .findFirst()
                .orElse(null);
    }

    private static String label(ObjectMeta meta, String key) {
        return value(meta.getLabels(), key);
    }

    private static String annotation(ObjectMeta meta, String key) {
        return value(meta.getAnnotations(), key);
    }

    private static String value(Map<String, String> map, String key) {
        return map == null ? null : map.get(key);
    }

    /**
     * Whether an object is controlled by the instance with this uid.
     *
     * @param object the object, may be null
     * @param uid the instance's uid
     * @return true when its controller reference names that uid
     */
    public static boolean isControlledBy(HasMetadata object, String uid) {
        OwnerReference controller = object == null ? null : controller(object.getMetadata());
        return controller != null && Objects.equals(controller.getUid(), uid);
    }
}
