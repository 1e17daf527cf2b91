package org.jupyterhub.kubespawner.operator.quota;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import java.math.BigDecimal;
import java.util.Map;
import java.util.TreeMap;

/**
 * Whether kube-controller-manager's quota controller has counted a ResourceQuota, and what to do when it has not.
 *
 * <p>The API server admits nothing a quota limits until the controller has written a {@code status.used} entry for
 * every resource of {@code status.hard} ("status unknown for quota"). A quota created before the controller
 * discovered its resource's CRD (discovery runs every 30 s; the chart installs both at once) stays uncounted until its
 * {@code spec.hard} changes or the periodic resync (5 minutes): nothing else wakes it. Changing the limit and back is
 * such a change.
 */
public final class QuotaCount {

    private QuotaCount() {}

    /** What a quota needs. */
    public sealed interface Decision {}

    /** Every resource it limits is counted (or it limits none): nothing to do. */
    public record Counted() implements Decision {}

    /** The controller has not yet synced the current {@code spec.hard}: look again later. */
    public record Syncing() implements Decision {}

    /**
     * The controller synced the limits but counts none of these resources: change each limit and back.
     *
     * @param limits each uncounted resource and its current limit as written in {@code spec.hard}
     */
    public record Nudge(Map<String, String> limits) implements Decision {}

    /**
     * Decides from the quota alone.
     *
     * @param quota the ResourceQuota as read
     * @return what it needs
     */
    public static Decision decide(ResourceQuota quota) {
        Map<String, Quantity> spec = quota.getSpec() == null || quota.getSpec().getHard() == null
                ? Map.of()
                : quota.getSpec().getHard();
        if (spec.isEmpty()) {
            return new Counted();
        }
        if (quota.getStatus() == null || quota.getStatus().getHard() == null) {
            return new Syncing();
        }
        Map<String, Quantity> hard = quota.getStatus().getHard();
        Map<String, Quantity> used = quota.getStatus().getUsed() == null
                ? Map.of()
                : quota.getStatus().getUsed();
        Map<String, String> uncounted = new TreeMap<>();
        for (Map.Entry<String, Quantity> limit : spec.entrySet()) {
            Quantity synced = hard.get(limit.getKey());
            if (synced == null || !same(synced, limit.getValue())) {
                // status.hard lags spec.hard: the controller is about to sync this very change
                return new Syncing();
            }
            if (!used.containsKey(limit.getKey())) {
                uncounted.put(limit.getKey(), limit.getValue().toString());
            }
        }
        return uncounted.isEmpty() ? new Counted() : new Nudge(uncounted);
    }

    /**
     * The limit one above, for the first half of a nudge (count/ limits are whole numbers).
     *
     * @param limit a limit as written in spec.hard, e.g. {@code 1000} or {@code 1k}
     * @return that plus one, e.g. {@code 1001}
     * @throws IllegalArgumentException when it is not a quantity
     */
    public static String oneMore(String limit) {
        BigDecimal value = new Quantity(limit).getNumericalAmount();
        return value.add(BigDecimal.ONE).stripTrailingZeros().toPlainString();
    }

    private static boolean same(Quantity a, Quantity b) {
        return a.getNumericalAmount().compareTo(b.getNumericalAmount()) == 0;
    }
}
