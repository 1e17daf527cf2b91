package org.jupyterhub.kubespawner.events;

/**
 * A snapshot of what an {@link EventRecorder} did with the occurrences it was handed, for export as metrics.
 *
 * <p>Every call to {@code record} is one occurrence. Once the recorder is idle (or closed),
 * {@code submitted == created + aggregated + dropped()}; while it works, the difference is still queued or counted
 * in a series that is not written yet. Each counter is the sum over all writer threads.
 *
 * @param submitted occurrences handed to {@code record}
 * @param created occurrences written as a new Event
 * @param aggregated occurrences written into an existing Event's {@code series.count}
 * @param droppedQueueFull occurrences dropped because the bounded queue was full
 * @param droppedRateLimited occurrences dropped because their regarding object exceeded its rate limit
 * @param droppedApiError occurrences dropped because the API server refused or failed the write
 * @param droppedInvalid occurrences dropped because they lacked a regarding object, type, reason or action
 * @param droppedClosed occurrences dropped because the recorder was closed, or did not drain in time
 * @param droppedNamespaceTerminating occurrences dropped because their Event's namespace is being deleted: the API
 *     server refused the create (HTTP 403 with cause {@code NamespaceTerminating}, or 404 once the namespace is
 *     gone), or an earlier refusal there was less than the give-up period ago, so no request was made
 */
public record EventRecorderStats(
        long submitted,
        long created,
        long aggregated,
        long droppedQueueFull,
        long droppedRateLimited,
        long droppedApiError,
        long droppedInvalid,
        long droppedClosed,
        long droppedNamespaceTerminating) {

    /**
     * The snapshot as it was before {@code droppedNamespaceTerminating} existed, for callers that build one (tests,
     * adapters); that counter is zero.
     *
     * @param submitted occurrences handed to {@code record}
     * @param created occurrences written as a new Event
     * @param aggregated occurrences written into an existing Event's {@code series.count}
     * @param droppedQueueFull occurrences dropped because the bounded queue was full
     * @param droppedRateLimited occurrences dropped because their regarding object exceeded its rate limit
     * @param droppedApiError occurrences dropped because the API server refused or failed the write
     * @param droppedInvalid occurrences dropped because they lacked a regarding object, type, reason or action
     * @param droppedClosed occurrences dropped because the recorder was closed, or did not drain in time
     */
    public EventRecorderStats(
            long submitted,
            long created,
            long aggregated,
            long droppedQueueFull,
            long droppedRateLimited,
            long droppedApiError,
            long droppedInvalid,
            long droppedClosed) {
        this(
                submitted,
                created,
                aggregated,
                droppedQueueFull,
                droppedRateLimited,
                droppedApiError,
                droppedInvalid,
                droppedClosed,
                0);
    }

    /**
     * Occurrences that are visible in the API, as a new Event or in a series count.
     *
     * @return {@code created + aggregated}
     */
    public long recorded() {
        return created + aggregated;
    }

    /**
     * Occurrences lost, whatever the reason.
     *
     * @return the sum of all {@code dropped*} counters
     */
    public long dropped() {
        return droppedQueueFull
                + droppedRateLimited
                + droppedApiError
                + droppedInvalid
                + droppedClosed
                + droppedNamespaceTerminating;
    }
}
