package org.jupyterhub.kubespawner.operator.instance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvSecretCheckTest {

    private static final EnvSecretCheck.HubLabel HUB =
            EnvSecretCheck.HubLabel.parse("app.kubernetes.io/managed-by=notebookinstance-spawner");

    private static io.fabric8.kubernetes.api.model.ObjectMeta secret(String name, Map<String, String> labels) {
        return new ObjectMetaBuilder().withName(name).withLabels(labels).build();
    }

    @Test
    void theHubsSecretForThisInstanceIsAccepted() {
        Map<String, String> labels = Map.of(
                "app.kubernetes.io/managed-by", "notebookinstance-spawner",
                "kubespawner.jupyterhub.org/instance", "jupyter-ada");
        assertThat(EnvSecretCheck.problem("jupyter-ada", "token-ada", secret("token-ada", labels), HUB))
                .isNull();
    }

    @Test
    void aSecretOfAnEarlierSpawnerIsAcceptedByItsName() {
        Map<String, String> labels = Map.of("app.kubernetes.io/managed-by", "notebookinstance-spawner");
        assertThat(EnvSecretCheck.problem("jupyter-ada", "jupyter-ada", secret("jupyter-ada", labels), HUB))
                .isNull();
        assertThat(EnvSecretCheck.problem("jupyter-ada", "jupyter-bob", secret("jupyter-bob", labels), HUB))
                .contains("not named like the instance");
    }

    @Test
    void aMissingSecretIsNamed() {
        assertThat(EnvSecretCheck.problem("jupyter-ada", "jupyter-ada", null, HUB))
                .contains("spec.envSecretRef.name", "jupyter-ada", "does not exist");
    }

    @Test
    void theLabelMustBeKeyEqualsValue() {
        assertThat(HUB.key()).isEqualTo("app.kubernetes.io/managed-by");
        assertThatThrownBy(() -> EnvSecretCheck.HubLabel.parse("no-value="))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("key=value");
    }
}
