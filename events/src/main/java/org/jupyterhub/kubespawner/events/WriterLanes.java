package org.jupyterhub.kubespawner.events;

import io.fabric8.kubernetes.api.model.ObjectReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The recorder's writer threads, each with its own bounded queue and the {@link RecorderWorker} that owns the series
 * of the objects routed to it. Every occurrence about one regarding object goes to the same lane (a stable hash of
 * its namespace and name), so its Events keep their order and the worker needs no locks.
 */
final class WriterLanes {

    /** One writer thread with its own queue and the worker that owns the series of the objects routed to it. */
    record Lane(BlockingQueue<Occurrence> queue, RecorderWorker worker, Thread thread) {}

    private final List<Lane> lanes;
    private final Counters counters;

    /**
     * Creates and starts the lanes.
     *
     * @param settings how many lanes, their share of the queue capacity and of the series
     * @param shared what every lane writes with, and the counters
     */
    WriterLanes(RecorderSettings settings, RecorderWorker.Shared shared) {
        this.counters = shared.counters();
        List<Lane> created = new ArrayList<>(settings.writers());
        for (int i = 0; i < settings.writers(); i++) {
            BlockingQueue<Occurrence> queue = new ArrayBlockingQueue<>(settings.laneCapacity());
            RecorderWorker worker = new RecorderWorker(queue, settings, shared);
            Thread thread = new Thread(worker, "event-recorder-" + i);
            thread.setDaemon(true); // never keeps a JVM alive; close() is how pending events get written
            created.add(new Lane(queue, worker, thread));
        }
        this.lanes = List.copyOf(created);
        lanes.forEach(lane -> lane.thread().start());
    }

    /**
     * The lane of every occurrence about {@code regarding}: a stable hash of its namespace and name. Everything that
     * keys per-object state in a worker (the series' {@link EventKey}, by uid or by coordinates, and the rate-limit
     * bucket) is finer than namespace/name, so each such key always meets the same worker, and one object's events
     * keep their order even when some references carry a uid and others do not.
     */
    static int laneOf(ObjectReference regarding, int lanes) {
        String namespace = regarding.getNamespace() == null ? "" : regarding.getNamespace();
        int hash = (namespace + '/' + regarding.getName()).hashCode(); // String.hashCode is specified, so stable
        return Math.floorMod(hash ^ (hash >>> 16), lanes);
    }

    /** @return the lane of the occurrence's regarding object */
    Lane laneFor(Occurrence occurrence) {
        return lanes.get(laneOf(occurrence.regarding(), lanes.size()));
    }

    /** @return how many lanes there are */
    int size() {
        return lanes.size();
    }

    /**
     * Lets every lane write what it has queued and its pending series counts, in parallel, within one timeout in all;
     * lanes still busy then are abandoned, and whatever is left in any queue is counted as dropped on close.
     *
     * @param drainTimeout the time for all lanes together
     * @return how many lanes did not finish in time
     */
    int drain(Duration drainTimeout) {
        lanes.forEach(lane -> lane.worker().drain());
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        try {
            for (Lane lane : lanes) {
                long leftMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                lane.thread().join(Math.max(1, leftMillis));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int stuck = 0;
        for (Lane lane : lanes) {
            if (lane.thread().isAlive()) {
                lane.worker().abandon();
                lane.thread().interrupt();
                stuck++;
            }
            List<Occurrence> left = new ArrayList<>();
            lane.queue().drainTo(left);
            counters.droppedClosed.add(left.size());
        }
        return stuck;
    }
}
