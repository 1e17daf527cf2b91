package org.jupyterhub.kubespawner.operator.activity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jupyterhub.kubespawner.operator.vocabulary.Reason;

/**
 * The probes against a real HTTP server on the loopback: what they send, what they read, and that an instance is
 * woken only when an answer changes something.
 */
class ActivityProbesTest {

    private HttpServer server;
    private final AtomicReference<String> answer = new AtomicReference<>();
    private final AtomicInteger status = new AtomicInteger(200);
    private final List<String> tokensSeen = new CopyOnWriteArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final Map<String, String> secret = new ConcurrentHashMap<>(Map.of("hub/probe-token/token", "s3cret\n"));
    private final AtomicInteger secretReads = new AtomicInteger();
    private final List<ResourceID> woken = new CopyOnWriteArrayList<>();
    private final List<Reason> outcomes = new CopyOnWriteArrayList<>();
    private ActivityProbes probes;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/user/ada/api/status", exchange -> {
            requests.incrementAndGet();
            tokensSeen.add(exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] body = answer.get().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status.get(), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        probes = new ActivityProbes(
                (ns, name, key) -> {
                    secretReads.incrementAndGet();
                    return secret.get(ns + "/" + name + "/" + key);
                },
                Clock.systemUTC(),
                outcomes::add);
        probes.setEventHandler(event -> woken.add(event.getRelatedCustomResourceID()));
        probes.start();
    }

    @AfterEach
    void stop() {
        probes.stop();
        server.stop(0);
    }

    private ProbeTarget target(String secretName) {
        return new ProbeTarget(
                ProbeTarget.uri("127.0.0.1", server.getAddress().getPort(), null, "/user/ada/"),
                "hub",
                secretName,
                "token",
                Duration.ofMillis(50),
                Duration.ofSeconds(2),
                Duration.ofMinutes(5),
                Duration.ofHours(1));
    }

    @Test
    void anUnchangingServerWakesItsInstanceOnceHoweverOftenItIsProbed() {
        answer.set("{\"last_activity\": \"2026-01-01T09:58:01.123456Z\", \"connections\": 0, \"kernels\": 0}");
        ResourceID ada = new ResourceID("jupyter-ada", "hub");

        assertThat(probes.watch(ada, target("probe-token"))).isInstanceOf(ActivityReading.Unknown.class);
        await().atMost(Duration.ofSeconds(20)).until(() -> requests.get() >= 10);

        assertThat(probes.watch(ada, target("probe-token"))).isInstanceOf(ActivityReading.Activity.class);
        assertThat(woken).as("woken for the first answer only").containsExactly(ada);
        assertThat(tokensSeen).as("the admin's token, trimmed").allMatch("token s3cret"::equals);
        assertThat(secretReads.get())
                .as("the token is read once a minute, not per probe")
                .isEqualTo(1);
        assertThat(outcomes).contains(Reason.ProbeSucceeded);
    }

    @Test
    void aChangeOfAnswerWakesTheInstanceAgain() {
        answer.set("{\"last_activity\": \"2026-01-01T09:58:01Z\"}");
        ResourceID ada = new ResourceID("jupyter-ada", "hub");
        probes.watch(ada, target("probe-token"));
        await().atMost(Duration.ofSeconds(20)).until(() -> woken.size() == 1);

        status.set(403);
        await().atMost(Duration.ofSeconds(20)).until(() -> woken.size() == 2);
        assertThat(probes.watch(ada, target("probe-token")))
                .extracting(r -> ((ActivityReading.Failure) r).reason())
                .isEqualTo(Reason.ProbeUnauthorized);

        status.set(200);
        answer.set("not json");
        await().atMost(Duration.ofSeconds(20)).until(() -> woken.size() == 3);
        assertThat(probes.watch(ada, target("probe-token")))
                .extracting(r -> ((ActivityReading.Failure) r).reason())
                .isEqualTo(Reason.ProbeMalformed);
    }

    @Test
    void aMissingTokenIsAFailureAndNothingIsSent() {
        answer.set("{\"last_activity\": \"2026-01-01T09:58:01Z\"}");
        ResourceID ada = new ResourceID("jupyter-ada", "hub");
        probes.watch(ada, target("no-such-secret"));

        await().atMost(Duration.ofSeconds(20)).until(() -> !woken.isEmpty());
        assertThat(probes.watch(ada, target("no-such-secret")))
                .extracting(r -> ((ActivityReading.Failure) r).reason())
                .isEqualTo(Reason.ProbeTokenUnavailable);
        assertThat(requests.get()).isZero();
    }

    @Test
    void aServerThatIsNotThereIsUnreachable() throws IOException {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        ResourceID ada = new ResourceID("jupyter-ada", "hub");
        ProbeTarget nowhere = new ProbeTarget(
                ProbeTarget.uri("127.0.0.1", port, null, "/user/ada/"),
                "hub",
                "probe-token",
                "token",
                Duration.ofMillis(50),
                Duration.ofSeconds(2),
                Duration.ofMinutes(5),
                null);
        probes.watch(ada, nowhere);

        await().atMost(Duration.ofSeconds(20)).until(() -> !woken.isEmpty());
        assertThat(probes.watch(ada, nowhere))
                .isEqualTo(new ActivityReading.Failure(
                        Reason.ProbeUnreachable, "the activity probe of /user/ada/api/status refused the connection"));

        probes.forget(ada);
        assertThat(probes.watched()).isZero();
    }
}
