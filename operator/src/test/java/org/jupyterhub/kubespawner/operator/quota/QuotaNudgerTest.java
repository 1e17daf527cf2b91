package org.jupyterhub.kubespawner.operator.quota;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.jupyterhub.kubespawner.events.EventRecorder;

/** The runner's requests, against fabric8's mock API server (the real control plane: QuotaCountedIT). */
@EnableKubernetesMockClient
class QuotaNudgerTest {

    static KubernetesMockServer server;
    static KubernetesClient client;

    private static final String INSTANCES = "count/jupyternotebookinstances.kubespawner.jupyterhub.org";
    private static final String PATH = "/api/v1/namespaces/users/resourcequotas/q";

    private static ResourceQuota quota(Map<String, String> used) {
        return new ResourceQuotaBuilder()
                .withNewMetadata()
                .withName("q")
                .withNamespace("users")
                .endMetadata()
                .withNewSpec()
                .withHard(Map.of(INSTANCES, new Quantity("1000")))
                .endSpec()
                .withNewStatus()
                .withHard(Map.of(INSTANCES, new Quantity("1000")))
                .withUsed(used.isEmpty() ? Map.of() : Map.of(INSTANCES, new Quantity(used.get(INSTANCES))))
                .endStatus()
                .build();
    }

    @Test
    void anUncountedQuotaIsChangedToOneMoreAndBackThenLeftOnceCounted() throws Exception {
        server.expect().get().withPath(PATH).andReturn(200, quota(Map.of())).once();
        server.expect()
                .get()
                .withPath(PATH)
                .andReturn(200, quota(Map.of(INSTANCES, "0")))
                .always();
        server.expect().patch().withPath(PATH).andReturn(200, quota(Map.of())).always();
        try (EventRecorder events = EventRecorder.builder(client)
                        .reportingController("kubespawner.jupyterhub.org/test")
                        .reportingInstance("test")
                        .build();
                QuotaNudger nudger = new QuotaNudger(
                        client, events, List.of(new QuotaNudger.QuotaRef("users", "q")), Duration.ofMillis(50), 20)) {
            nudger.start();
            assertThat(nudger.awaitDone(Duration.ofSeconds(20))).isTrue();
        }
        List<List<Map<String, String>>> patches = new ArrayList<>();
        RecordedRequest r;
        while ((r = server.takeRequest(100, TimeUnit.MILLISECONDS)) != null) {
            if (r.getMethod().equals("PATCH")) {
                assertThat(r.getHeader("Content-Type")).startsWith("application/json-patch+json");
                patches.add(Serialization.jsonMapper().readValue(r.getBody().readUtf8(), new TypeReference<>() {}));
            }
        }
        String path = "/spec/hard/count~1jupyternotebookinstances.kubespawner.jupyterhub.org";
        assertThat(patches)
                .as("one more, testing the limit it read; then back, testing its own value")
                .containsExactly(
                        List.of(op("test", path, "1000"), op("replace", path, "1001")),
                        List.of(op("test", path, "1001"), op("replace", path, "1000")));
    }

    private static Map<String, String> op(String op, String path, String value) {
        return Map.of("op", op, "path", path, "value", value);
    }

    @Test
    void anAbsentOrForbiddenQuotaIsLeftAloneWithoutFailing() throws Exception {
        server.expect()
                .get()
                .withPath("/api/v1/namespaces/users/resourcequotas/gone")
                .andReturn(404, "")
                .always();
        server.expect()
                .get()
                .withPath("/api/v1/namespaces/other/resourcequotas/q")
                .andReturn(403, "")
                .always();
        try (EventRecorder events = EventRecorder.builder(client)
                        .reportingController("kubespawner.jupyterhub.org/test")
                        .reportingInstance("test")
                        .build();
                QuotaNudger nudger = new QuotaNudger(
                        client,
                        events,
                        List.of(new QuotaNudger.QuotaRef("users", "gone"), new QuotaNudger.QuotaRef("other", "q")),
                        Duration.ofMillis(50),
                        20)) {
            nudger.start();
            assertThat(nudger.awaitDone(Duration.ofSeconds(20))).isTrue();
        }
    }
}
