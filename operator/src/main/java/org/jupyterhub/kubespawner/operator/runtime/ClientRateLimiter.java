package org.jupyterhub.kubespawner.operator.runtime;

import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import org.jupyterhub.kubespawner.events.TokenBucket;

/**
 * Client-side token buckets (like client-go's QPS/burst) on the fabric8 client. fabric8 has no rate limit of its
 * own; these exist so a burst of thousands of spawns cannot overrun the API server, with defaults high enough
 * (200/400) not to delay status at burst, unlike the QPS 20 that slowed Kubeflow. Watches are not limited: they
 * are long-lived and opened rarely.
 *
 * <p>Event writes have a bucket of their own: they are written in the background by the Event recorder, and in a
 * burst of spawns they would otherwise take a good part of the budget the spawns need (a spawn makes about as
 * many Event writes as other writes). Spawns go first; Events follow at their own pace.
 */
final class ClientRateLimiter implements Interceptor {

    private static final String EVENTS_PATH = "/apis/events.k8s.io/";

    private final TokenBucket requests;
    private final TokenBucket events;

    ClientRateLimiter(int qps, int burst, int eventQps, int eventBurst) {
        long now = System.nanoTime();
        this.requests = TokenBucket.perSecond(qps, burst, now);
        this.events = TokenBucket.perSecond(eventQps, eventBurst, now);
    }

    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        String query = request.uri().getRawQuery();
        if (query != null && query.contains("watch=true")) {
            return;
        }
        String path = request.uri().getRawPath();
        long waitNanos = bucketFor(path).reserve(System.nanoTime());
        if (waitNanos > 0) {
            try {
                Thread.sleep(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The bucket a request to that path draws from. */
    TokenBucket bucketFor(String path) {
        return path != null && path.startsWith(EVENTS_PATH) ? events : requests;
    }
}
