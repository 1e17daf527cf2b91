package org.jupyterhub.kubespawner.operator.instance;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Holds back the first status of a spawn while its pod starts without trouble. A pod that has just been created is
 * usually Ready a moment later (its scheduling and readiness come as watch events): writing "Provisioning" first
 * would put a status write, and the wait for it, on every spawn's path to Ready. So the first status waits up to a
 * grace after the pod's creation ({@link #FIRST_STATUS_GRACE}, {@link #BUSY_FIRST_STATUS_GRACE} in a burst) while the
 * pod makes progress; anything that holds the pod up is written at once, and so is every later status. Until then
 * status is unchanged, so no Event is recorded twice and nothing is created twice: the next reconcile finds the
 * objects in the informer caches.
 */
final class FirstStatusHold {

    /** How long after its pod's creation a spawn's first status waits (creationTimestamp has whole seconds). */
    static final Duration FIRST_STATUS_GRACE = Duration.ofSeconds(2);
    /**
     * The grace with at least {@link #BUSY_SPAWNS} spawns holding back their first status at once (a burst of logins):
     * their pods take seconds to start then, and a "starting" status for each would double the burst's most expensive
     * writes (status patches) for nothing the hub waits for.
     */
    static final Duration BUSY_FIRST_STATUS_GRACE = Duration.ofSeconds(30);
    /** How many spawns holding back their first status at once make a burst. */
    static final int BUSY_SPAWNS = 20;

    /**
     * A spawn holding back its first status: since when (entries older than twice the busy grace are stale), and the
     * spawn itself, so the next reconcile neither creates nor announces its objects again.
     */
    private record Held(Instant since, String uid, Spawn spawn) {}

    private final Map<ResourceID, Held> holding = new ConcurrentHashMap<>();
    private volatile Instant nextSweep = Instant.MIN;

    /**
     * How long to hold back this reconcile's status, or null to write it now; remembers the spawns it holds.
     *
     * @param id the instance
     * @param uid the instance's uid
     * @param spawn the spawn
     * @param spawnRecorded whether status already records the spawn (then never hold)
     * @param pod the notebook pod's observation
     * @param podCreated the pod's creationTimestamp, or null
     * @param now the time
     * @return the delay to reconcile again after, or null
     */
    Duration hold(
            ResourceID id,
            String uid,
            Spawn spawn,
            boolean spawnRecorded,
            PodObservation pod,
            Instant podCreated,
            Instant now) {
        Duration wait = firstStatusWait(spawnRecorded, pod, podCreated, now, firstStatusGrace(holding(now)));
        if (wait == null) {
            holding.remove(id);
        } else {
            holding.compute(
                    id,
                    (k, held) -> held != null && Objects.equals(held.uid(), uid) ? held : new Held(now, uid, spawn));
        }
        return wait;
    }

    /**
     * The spawn an earlier reconcile completed and whose status is held back, or null.
     *
     * @param id the instance
     * @param uid its uid (an instance deleted and created again under the same name has another)
     * @return the spawn, or null
     */
    Spawn held(ResourceID id, String uid) {
        Held held = holding.get(id);
        return held != null && Objects.equals(held.uid(), uid) ? held.spawn() : null;
    }

    /**
     * Forgets an instance (deleted).
     *
     * @param id the instance
     */
    void forget(ResourceID id) {
        holding.remove(id);
    }

    /**
     * How long to hold back the first status of a spawn, or null to write it now: up to {@code grace} after the pod's
     * creation while it makes progress ({@link org.jupyterhub.kubespawner.operator.vocabulary.Reason#isProgress}).
     */
    static Duration firstStatusWait(
            boolean spawnRecorded, PodObservation pod, Instant podCreated, Instant now, Duration grace) {
        if (spawnRecorded
                || podCreated == null
                || !(pod instanceof PodObservation.Starting starting)
                || !starting.blocker().isProgress()) {
            return null;
        }
        Duration left = Duration.between(now, podCreated.plus(grace));
        if (left.isNegative() || left.isZero()) {
            return null;
        }
        // The pod's creation time is the API server's clock: a skewed operator clock shifts the window, never more.
        return left.compareTo(grace) > 0 ? grace : left;
    }

    /** The first-status grace when {@code holding} spawns are holding back theirs: longer in a burst. */
    static Duration firstStatusGrace(int holding) {
        return holding >= BUSY_SPAWNS ? BUSY_FIRST_STATUS_GRACE : FIRST_STATUS_GRACE;
    }

    /**
     * How many spawns hold back their first status now. Every 10 s it forgets entries older than twice the busy grace,
     * left by instances whose deletion went unnoticed (not on every call: a burst holds thousands).
     */
    private int holding(Instant now) {
        if (now.isAfter(nextSweep)) {
            nextSweep = now.plusSeconds(10);
            Instant stale = now.minus(BUSY_FIRST_STATUS_GRACE.multipliedBy(2));
            holding.values().removeIf(held -> held.since().isBefore(stale));
        }
        return holding.size();
    }
}
