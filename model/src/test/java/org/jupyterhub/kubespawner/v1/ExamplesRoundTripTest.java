package org.jupyterhub.kubespawner.v1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every example survives YAML -> model -> YAML without losing or changing a field. */
class ExamplesRoundTripTest {

    private static final ObjectMapper YAML = new YAMLMapper();

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "z2jh-default-template.yaml, org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate",
        "instance.yaml, org.jupyterhub.kubespawner.v1.JupyterNotebookInstance"
    })
    void roundTripsWithoutLoss(String file, Class<? extends HasMetadata> type) throws Exception {
        String original = Examples.read(Examples.example(file));

        HasMetadata parsed = Serialization.unmarshal(original, type);
        JsonNode written = YAML.readTree(Serialization.asYaml(parsed));

        assertThat(parsed).isInstanceOf(type);
        assertThat(written).isEqualTo(YAML.readTree(original));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "z2jh-default-template.yaml, org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate",
        "instance.yaml, org.jupyterhub.kubespawner.v1.JupyterNotebookInstance"
    })
    void kindsAreRegisteredForUntypedParsing(String file, Class<? extends HasMetadata> type) {
        // META-INF/services registers the kinds, so fabric8 picks the model class from apiVersion and kind alone.
        Object parsed = Serialization.unmarshal(Examples.read(Examples.example(file)));

        assertThat(parsed).isExactlyInstanceOf(type);
    }

    @Test
    void placeholdersInTypedFieldsStayLiteral() {
        // Quantities and int-or-strings are typed in fabric8's model; a placeholder in them must survive untouched.
        String original = """
                apiVersion: kubespawner.jupyterhub.org/v1
                kind: JupyterNotebookInstanceTemplate
                metadata:
                  name: choices
                spec:
                  variables:
                  - {name: cpu_limit, default: "2"}
                  - {name: mem_limit, default: 2Gi}
                  pods:
                  - name: jupyter-{user_server}
                    spec:
                      containers:
                      - name: notebook
                        image: quay.io/jupyter/base-notebook
                        resources:
                          limits: {cpu: "{cpu_limit}", memory: "{mem_limit}"}
                """;
        JupyterNotebookInstanceTemplate parsed =
                Serialization.unmarshal(original, JupyterNotebookInstanceTemplate.class);

        var limits = parsed.getSpec()
                .getPods()
                .get(0)
                .getSpec()
                .getContainers()
                .get(0)
                .getResources()
                .getLimits();
        assertThat(limits.get("memory").toString()).isEqualTo("{mem_limit}");
        assertThat(limits.get("cpu").toString()).isEqualTo("{cpu_limit}");
        assertThat(Serialization.asYaml(parsed)).contains(placeholdersOf(original));
    }

    @Test
    void theExamplesPlaceholdersSurvive() {
        String original = Examples.read(Examples.example("z2jh-default-template.yaml"));
        JupyterNotebookInstanceTemplate parsed =
                Serialization.unmarshal(original, JupyterNotebookInstanceTemplate.class);
        assertThat(placeholdersOf(original)).contains("{pvc_name}", "{image}", "{hub_namespace}");
        assertThat(Serialization.asYaml(parsed)).contains(placeholdersOf(original));
    }

    private static String[] placeholdersOf(String yaml) {
        return java.util.regex.Pattern.compile("\\{[A-Za-z_][A-Za-z0-9_]*}")
                .matcher(yaml)
                .results()
                .map(java.util.regex.MatchResult::group)
                .distinct()
                .toArray(String[]::new);
    }
}
