package org.jupyterhub.kubespawner.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The settings are declared once ({@link OperatorSettings}): docs/operator.md's table is exactly the generated one,
 * and the chart's Deployment sets exactly the declared variables, each from its declared value, whose default in
 * values.yaml is the operator's own. (OperatorWithChartRbacIT reads a rendered chart's environment with
 * {@link OperatorConfig#parse} and checks non-default values arrive.)
 */
class SettingsInDocsAndChartTest {

    private static final Path ROOT = Path.of("..");
    private static final Pattern ENV_ENTRY =
            Pattern.compile("(?m)^\\s*- name: (JNO_[A-Z_]+)\\n(\\s*value(?:From)?:.*)$");

    @Test
    void docsTableIsTheGeneratedOne() throws IOException {
        String docs = Files.readString(ROOT.resolve("docs/operator.md"));
        String expected = OperatorSettings.markdownTable();
        int start = docs.indexOf("| flag | environment |");
        assertThat(start).as("docs/operator.md has the settings table").isNotNegative();
        int end = docs.indexOf("\n\n", start);
        assertThat(docs.substring(start, end + 1))
                .as("docs/operator.md's settings table; replace it with:%n%s", expected)
                .isEqualTo(expected);
    }

    @Test
    void chartSetsExactlyTheDeclaredVariablesFromTheDeclaredValues() throws IOException {
        String deployment =
                Files.readString(ROOT.resolve("charts/jupyter-notebook-operator/templates/deployment.yaml"));
        Map<String, String> env = new LinkedHashMap<>();
        Matcher m = ENV_ENTRY.matcher(deployment);
        while (m.find()) {
            env.put(m.group(1), m.group(2).trim());
        }
        assertThat(env.keySet())
                .as("JNO_* variables the chart sets")
                .containsExactlyInAnyOrderElementsOf(
                        OperatorSettings.ALL.stream().map(Setting::env).toList());

        Map<?, ?> values = Serialization.unmarshal(
                Files.readString(ROOT.resolve("charts/jupyter-notebook-operator/values.yaml")), Map.class);
        for (Setting<?> setting : OperatorSettings.ALL) {
            Setting.Chart chart = setting.chart();
            String expression = env.get(setting.env());
            if (chart.value() == null) {
                continue; // set by the chart itself (downward API, release name): the IT checks the result
            }
            Object chartDefault = at(values, chart.value());
            assertThat(chartDefault).as("values.yaml has %s", chart.value()).isNotNull();
            if (chart.verbatim()) { // else derived from it, e.g. through a helper: the IT checks the outcome
                assertThat(expression)
                        .as(setting.env())
                        .isEqualTo("value: {{ .Values." + chart.value() + " | quote }}");
                assertThat(setting.type().read(setting.flag(), String.valueOf(chartDefault)))
                        .as("the chart's default of %s is the operator's", chart.value())
                        .isEqualTo(setting.from(Map.of()));
            }
        }
    }

    @Test
    void theChartsSecretLabelIsTheOperatorsDefaultLabel() throws IOException {
        Map<?, ?> values = Serialization.unmarshal(
                Files.readString(ROOT.resolve("charts/jupyter-notebook-operator/values.yaml")), Map.class);
        Object managedBy = at(values, "hub.admissionPolicy.managedByLabel");
        assertThat(OperatorSettings.HUB_SECRET_LABEL.from(Map.of()))
                .isEqualTo(new OperatorConfig.Label("app.kubernetes.io/managed-by", String.valueOf(managedBy)));
    }

    private static Object at(Map<?, ?> values, String dotted) {
        Object node = values;
        for (String key : List.of(dotted.split("\\."))) {
            node = node instanceof Map<?, ?> map ? map.get(key) : null;
        }
        return node;
    }
}
