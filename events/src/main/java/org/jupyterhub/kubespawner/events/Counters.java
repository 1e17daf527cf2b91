package org.jupyterhub.kubespawner.events;

import java.util.concurrent.atomic.LongAdder;

/** The live counters behind {@link EventRecorderStats}; written from callers' threads and the writer threads. */
final class Counters {

    final LongAdder submitted = new LongAdder();
    final LongAdder created = new LongAdder();
    final LongAdder aggregated = new LongAdder();
    final LongAdder droppedQueueFull = new LongAdder();
    final LongAdder droppedRateLimited = new LongAdder();
    final LongAdder droppedApiError = new LongAdder();
    final LongAdder droppedInvalid = new LongAdder();
    final LongAdder droppedClosed = new LongAdder();
    final LongAdder droppedNamespaceTerminating = new LongAdder();

    EventRecorderStats snapshot() {
        return new EventRecorderStats(
                submitted.sum(),
                created.sum(),
                aggregated.sum(),
                droppedQueueFull.sum(),
                droppedRateLimited.sum(),
                droppedApiError.sum(),
                droppedInvalid.sum(),
                droppedClosed.sum(),
                droppedNamespaceTerminating.sum());
    }
}
