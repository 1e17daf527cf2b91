package org.jupyterhub.kubespawner.templating;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.jupyterhub.kubespawner.templating.core.ErrorKind;
import org.jupyterhub.kubespawner.templating.core.TemplateError;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplateSpec;

/**
 * Arbitrary brace-heavy text in a whole template: compile and render never throw; the only template problem is
 * the documented {@link ErrorKind#UNDECLARED_PLACEHOLDER}; a valid template renders the text exactly like an
 * independent regex reference.
 */
class RandomizedTemplateTest {

    private static final Pattern REFERENCE = Pattern.compile("\\{\\{|\\}\\}|\\{([A-Za-z_][A-Za-z0-9_]*)\\}");
    private static final String[] PIECES = {
        "{",
        "}",
        "{{",
        "}}",
        "a",
        "b",
        "v",
        "_",
        "1",
        " ",
        "$",
        "\"",
        ":",
        "\n",
        "{v}",
        "{w}",
        "{a",
        "{namespace}",
        "😀"
    };
    private static final Map<String, String> VALUES = Map.of("v", "{w}", "namespace", "ns");

    private static String reference(String template) {
        Matcher m = REFERENCE.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement = m.group(1) == null ? m.group().substring(1) : VALUES.get(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        return m.appendTail(out).toString();
    }

    private static boolean usesUndeclared(String template) {
        Matcher m = REFERENCE.matcher(template);
        while (m.find()) {
            if (m.group(1) != null && !VALUES.containsKey(m.group(1))) {
                return true;
            }
        }
        return false;
    }

    private static final JsonNode BASE = Examples.YAML.valueToTree(CompiledTemplateTest.spec("""
          variables: [{name: v}]
          pods:
          - name: p
            annotations: {note: x}
            spec: {containers: [{name: nb, image: i, args: [x], env: [{name: E, value: x}]}]}
          policy: {allowedImages: ['**']}
          """));

    @Test
    void arbitraryTextNeverThrowsAndRendersLikeTheReference() {
        Random random = new Random(4L);
        for (int round = 0; round < 2_000; round++) {
            StringBuilder s = new StringBuilder();
            for (int i = random.nextInt(12); i > 0; i--) {
                s.append(PIECES[random.nextInt(PIECES.length)]);
            }
            String text = s.toString();
            JupyterNotebookInstanceTemplateSpec spec =
                    Examples.YAML.convertValue(BASE, JupyterNotebookInstanceTemplateSpec.class);
            var pod = spec.getPods().get(0);
            pod.getAnnotations().put("note", text);
            pod.getSpec().getContainers().get(0).getArgs().set(0, text);
            pod.getSpec().getContainers().get(0).getEnv().get(0).setValue(text);

            CompiledTemplate compiled = CompiledTemplate.compile(spec);
            if (usesUndeclared(text)) {
                assertThat(compiled.problems())
                        .as(text)
                        .isNotEmpty()
                        .extracting(TemplateError::kind)
                        .containsOnly(ErrorKind.UNDECLARED_PLACEHOLDER);
                assertThat(compiled.render(Map.of("v", "{w}"), BuiltinVariables.of("i", "ns", "t", "tn")))
                        .isInstanceOf(RenderResult.Failure.class);
                continue;
            }
            assertThat(compiled.problems()).as(text).isEmpty();
            RenderResult result = compiled.render(Map.of("v", "{w}"), BuiltinVariables.of("i", "ns", "t", "tn"));
            assertThat(result).as(text).isInstanceOf(RenderResult.Success.class);
            var rendered = ((RenderResult.Success) result).objects().notebook().pod();
            String expected = reference(text);
            assertThat(rendered.getMetadata().getAnnotations()).containsExactly(Map.entry("note", expected));
            assertThat(rendered.getSpec().getContainers().get(0).getArgs()).isEqualTo(List.of(expected));
            assertThat(rendered.getSpec().getContainers().get(0).getEnv().get(0).getValue())
                    .isEqualTo(expected);
        }
    }
}
