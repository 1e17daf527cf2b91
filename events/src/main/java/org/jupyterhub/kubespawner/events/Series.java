package org.jupyterhub.kubespawner.events;

import java.time.Duration;
import java.time.Instant;

/**
 * The recorder's memory of one Event it wrote: how many occurrences it has seen and how many of those the API
 * server already knows. Owned by the one writer thread its regarding object is routed to, hence mutable and
 * unsynchronised.
 */
final class Series {

    final EventKey key;
    final Occurrence first;
    final String namespace;
    final String name;

    /** Occurrences the Event already counted when this recorder adopted it after a restart; 0 for its own. */
    private int adoptedCount;

    private int observed = 1;
    private int written;
    private Instant lastObserved;

    Series(EventKey key, Occurrence first, String namespace, String name) {
        this.key = key;
        this.first = first;
        this.namespace = namespace;
        this.name = name;
        this.lastObserved = first.observed();
    }

    void observe(Instant at) {
        observed++;
        if (at.isAfter(lastObserved)) {
            lastObserved = at;
        }
    }

    void adopt(int existingCount) {
        adoptedCount = existingCount;
    }

    /** Marks everything observed so far as written and returns how many occurrences that write added. */
    int markWritten() {
        int added = observed - written;
        written = observed;
        return added;
    }

    /** Occurrences observed but not yet written. */
    int pending() {
        return observed - written;
    }

    /** The value of the Event's {@code series.count}: 1 means no series yet. */
    int apiCount() {
        return adoptedCount + observed;
    }

    Instant lastObserved() {
        return lastObserved;
    }

    /** A series ends after a whole window without a repeat, as client-go's correlator does. */
    boolean isOver(Instant now, Duration window) {
        return Duration.between(lastObserved, now).compareTo(window) > 0;
    }
}
