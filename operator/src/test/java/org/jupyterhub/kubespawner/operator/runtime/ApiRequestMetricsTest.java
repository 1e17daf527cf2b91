package org.jupyterhub.kubespawner.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The interceptor on a real fabric8 client talking HTTP to a tiny local server standing in for the API server. */
class ApiRequestMetricsTest {

    private HttpServer server;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private ApiRequestMetrics metrics;
    private KubernetesClient client;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            boolean found = exchange.getRequestURI().getPath().endsWith("/pods/jupyter-ada");
            byte[] body = (found
                            ? "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"jupyter-ada\"}}"
                            : "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":404}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(found ? 200 : 404, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        metrics = new ApiRequestMetrics(registry);
        client = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder()
                        .withMasterUrl("http://127.0.0.1:" + server.getAddress().getPort())
                        .withRequestRetryBackoffLimit(0)
                        .build())
                .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("metrics", metrics))
                .build();
    }

    @AfterEach
    void stop() {
        client.close();
        server.stop(0);
    }

    @Test
    void timesEachRequestByVerbResourceAndCode() {
        assertThat(client.pods().inNamespace("hub").withName("jupyter-ada").get())
                .isNotNull();
        assertThat(client.pods().inNamespace("hub").withName("jupyter-bob").get())
                .isNull();
        client.pods().inNamespace("hub").withName("jupyter-ada").get();

        Timer found = registry.find(ApiRequestMetrics.NAME)
                .tags("verb", "get", "resource", "pods", "code", "200")
                .timer();
        Timer missing = registry.find(ApiRequestMetrics.NAME)
                .tags("verb", "get", "resource", "pods", "code", "404")
                .timer();
        assertThat(found).isNotNull();
        assertThat(found.count()).isEqualTo(2);
        assertThat(found.totalTime(java.util.concurrent.TimeUnit.NANOSECONDS)).isPositive();
        assertThat(missing).isNotNull();
        assertThat(missing.count()).isEqualTo(1);
        assertThat(metrics.inFlight())
                .as("every request paired with its response")
                .isZero();
    }

    @Test
    void aRefusedConnectionIsCountedAsAnError() {
        int port = server.getAddress().getPort();
        server.stop(0);
        // fabric8 reports connection failures to interceptors when it decides whether to retry: allow one retry
        try (KubernetesClient offline = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder()
                        .withMasterUrl("http://127.0.0.1:" + port)
                        .withRequestRetryBackoffLimit(1)
                        .withRequestRetryBackoffInterval(10)
                        .build())
                .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("metrics", metrics))
                .build()) {
            try {
                offline.pods().inNamespace("hub").withName("jupyter-ada").get();
            } catch (RuntimeException expected) {
                // the client reports the refused connection; the metric records it
            }
        }
        assertThat(registry.find(ApiRequestMetrics.ERRORS)
                        .tags("verb", "get", "resource", "pods")
                        .counter())
                .isNotNull()
                .satisfies(c -> assertThat(c.count()).isGreaterThanOrEqualTo(1));
        assertThat(registry.find(ApiRequestMetrics.NAME).timers())
                .as("no response, no latency")
                .isEmpty();
    }
}
