package org.jupyterhub.kubespawner.operator.instance;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bounds how many spawns provision at once (objects being created, notebook pod not yet Ready or failed), so that
 * thousands of instances created together queue in the operator instead of starving it and the API server: each
 * new spawn takes a slot before it creates anything and gives it back when its pod is Ready, failed or gone. A spawn
 * without a slot waits as Pending ({@code SpawnQueued}) and is tried again shortly.
 *
 * <p>Slots live in memory: after a restart the spawns still provisioning take theirs again on their first
 * reconcile, before any new spawn asks.
 */
final class SpawnSlots {

    private final int max;
    private final Set<String> taken = ConcurrentHashMap.newKeySet();

    /** @param max the most spawns provisioning at once (at least 1) */
    SpawnSlots(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("maxConcurrentSpawns must be at least 1, got " + max);
        }
        this.max = max;
    }

    /**
     * Takes a slot for a new spawn, unless all are taken (a spawn that holds one keeps it).
     *
     * @param spawn the instance's key (namespace/name/uid)
     * @return whether the spawn may provision now
     */
    boolean take(String spawn) {
        if (taken.contains(spawn)) {
            return true;
        }
        // Checked and added in two steps: a race may let a few more through at once, never block anyone for good.
        if (taken.size() >= max) {
            return false;
        }
        taken.add(spawn);
        return true;
    }

    /**
     * Marks a spawn as still provisioning (after a restart), whatever the limit.
     *
     * @param spawn the instance's key
     */
    void hold(String spawn) {
        taken.add(spawn);
    }

    /**
     * Gives the slot back (Ready, failed, deleted); nothing happens when the spawn held none.
     *
     * @param spawn the instance's key
     */
    void release(String spawn) {
        taken.remove(spawn);
    }

    /** @return how many slots are taken */
    int inUse() {
        return taken.size();
    }

    /** @return the limit */
    int max() {
        return max;
    }
}
