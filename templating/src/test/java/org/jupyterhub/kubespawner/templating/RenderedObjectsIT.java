package org.jupyterhub.kubespawner.templating;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.jupyterhub.kubespawner.e2e.ControlPlane;
import org.jupyterhub.kubespawner.e2e.PausePods;
import org.jupyterhub.kubespawner.templating.core.KubernetesNames;
import org.jupyterhub.kubespawner.templating.slug.KubeSpawnerNames;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;

/**
 * On a real API server (e2e/cluster): what the library renders is accepted as it is, and the library's name,
 * label and quantity rules agree with the API server's own validation, case by case (server-side dry run, nothing
 * is stored).
 */
class RenderedObjectsIT {

    @RegisterExtension
    static final ControlPlane cluster = ControlPlane.perClass();

    private static final ObjectMapper JSON = new ObjectMapper();

    private static RenderedObjects render(Map<String, String> values) {
        JupyterNotebookInstanceTemplate template = Examples.template("z2jh-default-template.yaml");
        CompiledTemplate compiled = CompiledTemplate.compile(template.getSpec());
        assertThat(compiled.problems()).isEmpty();
        RenderResult result = compiled.render(
                values,
                BuiltinVariables.of(
                        "jupyter-x",
                        cluster.namespace(),
                        template.getMetadata().getName(),
                        template.getMetadata().getNamespace()));
        assertThat(result).isInstanceOf(RenderResult.Success.class);
        return ((RenderResult.Success) result).objects();
    }

    private static List<HasMetadata> all(RenderedObjects objects) {
        List<HasMetadata> all = new ArrayList<>();
        objects.objects().forEach(o -> all.add(o.object()));
        return all;
    }

    private static void assertAccepted(List<HasMetadata> objects) {
        for (HasMetadata object : objects) {
            HasMetadata created = cluster.admin()
                    .resource(object)
                    .inNamespace(cluster.namespace())
                    .dryRun()
                    .create();
            assertThat(created.getMetadata().getName())
                    .isEqualTo(object.getMetadata().getName());
            assertThat(created.getMetadata().getLabels())
                    .containsAllEntriesOf(object.getMetadata().getLabels());
        }
    }

    @Test
    void theExampleInstanceRendersToObjectsTheApiServerAccepts() {
        JupyterNotebookInstance instance = Examples.instance("instance.yaml");
        assertAccepted(all(render(instance.getSpec().getVariables())));
    }

    @Test
    void kubeSpawnerNamesForAwkwardUsersRenderToObjectsTheApiServerAccepts() {
        for (String[] user : new String[][] {
            {"Grace.Hopper@example.org", "GPU Server"},
            {"李小龙", ""},
            {"a".repeat(80) + "@example.org", "s".repeat(70)},
            {"-_-", "--"}
        }) {
            KubeSpawnerNames names = KubeSpawnerNames.of(user[0], user[1]);
            Map<String, String> variables = new HashMap<>(names.asVariables());
            variables
                    .keySet()
                    .retainAll(List.of(
                            "username", "unescaped_username", "servername", "unescaped_servername", "user_server"));
            variables.put("userid", "1");
            variables.put("pvc_name", "claim-" + variables.get("user_server"));
            variables.put("hub_namespace", "jupyterhub");
            assertAccepted(all(render(variables)));
        }
    }

    /** Names, label parts and quantities with the library's verdict; the API server must agree with each. */
    static Stream<String> candidates() {
        return Stream.of(
                "a",
                "0",
                "jupyter-ada",
                "a-",
                "-a",
                "A",
                "a_b",
                "a.b",
                "a..b",
                ".a",
                "1abc",
                "ab-12",
                "a".repeat(63),
                "a".repeat(64),
                "a." + "b".repeat(62),
                "ünï",
                "a b",
                "x@y",
                "Ada.Lovelace_1",
                "");
    }

    private static boolean apiAccepts(HasMetadata object) {
        try {
            cluster.admin()
                    .resource(object)
                    .inNamespace(cluster.namespace())
                    .dryRun()
                    .create();
            return true;
        } catch (KubernetesClientException e) {
            // 422: validation failed; 400: the object does not even decode (e.g. a quantity that does not parse)
            assertThat(e.getCode())
                    .as("rejection of %s: %s", object.getMetadata().getName(), e.getMessage())
                    .isIn(400, 422);
            return false;
        }
    }

    private static PodBuilder pod(String name) {
        return PausePods.pausePod(name);
    }

    @ParameterizedTest(name = "[{index}] ''{0}''")
    @MethodSource("candidates")
    void podNameRuleAgreesWithTheApiServer(String value) {
        if (value.isEmpty()) {
            return; // an object without a name is refused by the client already; covered by the unit tests
        }
        boolean ours = KubernetesNames.checkDns1123Subdomain(value) == null;
        assertThat(apiAccepts(pod(value).build())).as("pod name '%s'", value).isEqualTo(ours);
    }

    @ParameterizedTest(name = "[{index}] ''{0}''")
    @MethodSource("candidates")
    void serviceNameRuleAgreesWithTheApiServer(String value) {
        if (value.isEmpty()) {
            return; // as above
        }
        boolean ours = KubernetesNames.checkDns1035Label(value) == null;
        var service = new ServiceBuilder()
                .withNewMetadata()
                .withName(value)
                .endMetadata()
                .withNewSpec()
                .addNewPort()
                .withPort(80)
                .endPort()
                .endSpec()
                .build();
        assertThat(apiAccepts(service)).as("service name '%s'", value).isEqualTo(ours);
    }

    @ParameterizedTest(name = "[{index}] ''{0}''")
    @MethodSource("candidates")
    void containerNameRuleAgreesWithTheApiServer(String value) {
        boolean ours = KubernetesNames.checkDns1123Label(value) == null;
        var pod = pod("container-name-check")
                .editSpec()
                .editFirstContainer()
                .withName(value)
                .endContainer()
                .endSpec();
        assertThat(apiAccepts(pod.build())).as("container name '%s'", value).isEqualTo(ours);
    }

    @ParameterizedTest(name = "[{index}] ''{0}''")
    @MethodSource("candidates")
    void labelRulesAgreeWithTheApiServer(String value) {
        boolean valueOk = KubernetesNames.checkLabelValue(value) == null;
        assertThat(apiAccepts(pod("label-value-check")
                        .editMetadata()
                        .addToLabels("k", value)
                        .endMetadata()
                        .build()))
                .as("label value '%s'", value)
                .isEqualTo(valueOk);
        String key = "example.com/" + value;
        boolean keyOk = KubernetesNames.checkQualifiedName(key) == null;
        assertThat(apiAccepts(pod("label-key-check")
                        .editMetadata()
                        .addToLabels(key, "v")
                        .endMetadata()
                        .build()))
                .as("label key '%s'", key)
                .isEqualTo(keyOk);
    }

    @ParameterizedTest(name = "[{index}] ''{0}''")
    @MethodSource("quantities")
    void quantityRuleAgreesWithTheApiServer(String value) {
        boolean ours = KubernetesNames.checkQuantity(value) == null;
        // Built as plain JSON: fabric8's Quantity would normalise the text before it reaches the server.
        Map<String, Object> container =
                Map.of("name", "c", "image", "i", "resources", Map.of("limits", Map.of("cpu", value)));
        GenericKubernetesResource pod = JSON.convertValue(
                Map.of(
                        "apiVersion",
                        "v1",
                        "kind",
                        "Pod",
                        "metadata",
                        Map.of("name", "quantity-check"),
                        "spec",
                        Map.of("containers", List.of(container))),
                GenericKubernetesResource.class);
        assertThat(apiAccepts(pod)).as("cpu limit '%s'", value).isEqualTo(ours);
    }

    static Stream<String> quantities() {
        return Stream.of(
                "1", "0.5", ".5", "500m", "2", "1e3", "1E3", "2Ki", "lots", "1 Gi", "1GB", "1gi", "e3", "1.2.3", "",
                "Gi", "m", ".", "+", "5.", "1.e3", "1e+3", "1E-3", " 1", "1e", "1Ki1", "0x1", "1_000", "1e3.5", "--1",
                "1KM", " ");
    }
}
