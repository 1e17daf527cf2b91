package org.jupyterhub.kubespawner.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Configuration mistakes fail at startup, naming the setting; they never surface later in record(). */
@EnableKubernetesMockClient
class EventRecorderBuilderTest {

    KubernetesClient client;

    private EventRecorder.Builder valid() {
        return EventRecorder.builder(client).reportingController("kubespawner.jupyterhub.org/operator");
    }

    @Test
    void acceptsQualifiedNamesAndDefaultsTheInstanceToTheHost() {
        try (EventRecorder recorder = valid().build()) {
            assertThat(recorder.reportingController()).isEqualTo("kubespawner.jupyterhub.org/operator");
            assertThat(recorder.reportingInstance()).isNotBlank();
        }
        try (EventRecorder recorder = EventRecorder.builder(client)
                .reportingController("my-controller")
                .build()) {
            assertThat(recorder.reportingController()).isEqualTo("my-controller");
        }
    }

    @Test
    void rejectsABadReportingController() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> EventRecorder.builder(client).build())
                .withMessageContaining("reportingController");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> valid().reportingController("Not A Name").build())
                .withMessageContaining("reportingController")
                .withMessageContaining("Not A Name");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> valid().reportingController("example.com/" + "x".repeat(64))
                        .build())
                .withMessageContaining("63");
    }

    @Test
    void rejectsOutOfRangeSettings() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> valid().reportingInstance("i".repeat(129)).build())
                .withMessageContaining("reportingInstance");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> valid().queueCapacity(0).build())
                .withMessageContaining("queueCapacity");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> valid().aggregationWindow(Duration.ZERO).build())
                .withMessageContaining("aggregationWindow");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> valid().rateLimit(0, Duration.ofSeconds(1)).build())
                .withMessageContaining("burst");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> valid().drainTimeout(Duration.ofSeconds(-1)).build())
                .withMessageContaining("drainTimeout");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> valid().writeDelay(Duration.ofMillis(-1)).build())
                .withMessageContaining("writeDelay");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> valid().writers(0).build())
                .withMessageContaining("writers");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> valid().writers(65).build())
                .withMessageContaining("writers")
                .withMessageContaining("64");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> valid().terminatingNamespaceGiveUp(Duration.ofSeconds(-1))
                        .build())
                .withMessageContaining("terminatingNamespaceGiveUp");
    }
}
