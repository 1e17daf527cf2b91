package org.jupyterhub.kubespawner.operator.runtime;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Times every request of the operator's client, as {@code jno_api_requests_seconds{verb,resource,code}}: from the
 * moment it is sent (after the client-side rate limit) until the response's headers arrive. The dashboard's "API
 * requests by verb" and "status-write latency" ({@code verb="patch", resource=".../status"}) come from it.
 *
 * <p>fabric8 hands an interceptor the request it sends in {@code consumer} and the same object in {@code after},
 * so its id pairs them. Labels stay few: the verb as Kubernetes names it, the resource type (never an object's
 * name), and the status code. Requests that get no response at all are counted in
 * {@code jno_api_request_errors_total{verb,resource}}.
 */
final class ApiRequestMetrics implements Interceptor {

    static final String NAME = "jno.api.requests";
    static final String ERRORS = "jno.api.request.errors";
    private static final int STALE_CHECK_SIZE = 1_000;
    private static final long STALE_NANOS = TimeUnit.MINUTES.toNanos(5);

    private static final Duration[] BUCKETS = {
        Duration.ofMillis(5),
        Duration.ofMillis(10),
        Duration.ofMillis(25),
        Duration.ofMillis(50),
        Duration.ofMillis(100),
        Duration.ofMillis(250),
        Duration.ofMillis(500),
        Duration.ofSeconds(1),
        Duration.ofMillis(2500),
        Duration.ofSeconds(5),
        Duration.ofSeconds(10)
    };

    private final MeterRegistry registry;
    private final Map<UUID, Long> sent = new ConcurrentHashMap<>();

    ApiRequestMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public AsyncBody.Consumer<List<ByteBuffer>> consumer(
            AsyncBody.Consumer<List<ByteBuffer>> consumer, HttpRequest request) {
        long now = System.nanoTime();
        forgetStale(now);
        sent.put(request.id(), now);
        return consumer;
    }

    @Override
    public void after(HttpRequest request, HttpResponse<?> response, AsyncBody.Consumer<List<ByteBuffer>> consumer) {
        Long start = sent.remove(request.id());
        if (start != null && response != null) {
            record(request, Integer.toString(response.code()), System.nanoTime() - start);
        }
    }

    /**
     * fabric8 reports a failed connection with the request as it was before the interceptors (another id), so
     * it is counted by kind only, and its start time is left to {@link #forgetStale}.
     */
    @Override
    public void afterConnectionFailure(HttpRequest request, Throwable failure) {
        RequestKind kind = RequestKind.of(
                request.method(), request.uri().getRawPath(), request.uri().getRawQuery());
        Counter.builder(ERRORS)
                .description("Requests of the operator that got no response (connection refused, reset, timed out)")
                .tag("verb", kind.verb())
                .tag("resource", kind.resource())
                .register(registry)
                .increment();
    }

    /** Start times of requests that never got a response (their connection failed), kept at most a few minutes. */
    private void forgetStale(long now) {
        if (sent.size() > STALE_CHECK_SIZE) {
            sent.values().removeIf(start -> now - start > STALE_NANOS);
        }
    }

    private void record(HttpRequest request, String code, long nanos) {
        String query = request.uri().getRawQuery();
        RequestKind kind = RequestKind.of(request.method(), request.uri().getRawPath(), query);
        Timer.builder(NAME)
                .description("Requests of the operator to the API server, sent to response headers received")
                .tag("verb", kind.verb())
                .tag("resource", kind.resource())
                .tag("code", code)
                .serviceLevelObjectives(BUCKETS)
                .register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** @return requests sent and not answered yet (for tests: nothing may stay behind) */
    int inFlight() {
        return sent.size();
    }
}
