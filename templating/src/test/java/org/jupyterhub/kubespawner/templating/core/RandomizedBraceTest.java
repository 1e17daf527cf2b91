package org.jupyterhub.kubespawner.templating.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Arbitrary brace-heavy strings: compiling and rendering never throw, the only error is the documented
 * {@link ErrorKind#UNKNOWN_VARIABLE}, and the output equals an independent reference (a regex that reads the same
 * grammar left to right).
 */
class RandomizedBraceTest {

    private static final Pattern REFERENCE = Pattern.compile("\\{\\{|\\}\\}|\\{([A-Za-z_][A-Za-z0-9_]*)\\}");
    private static final String ALPHABET = "{{{}}}ab_x1 $\"':\\\n😀.";
    private static final Map<String, String> VALUES = Map.of("a", "{b}", "b", "B", "x1", "}{", "_", "$");

    private static String reference(String template, List<String> missing) {
        Matcher m = REFERENCE.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement;
            if (m.group(1) == null) {
                replacement = m.group().substring(1);
            } else {
                replacement = VALUES.get(m.group(1));
                if (replacement == null) {
                    missing.add(m.group(1));
                    replacement = "";
                }
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    @Test
    void arbitraryBraceTextRendersLikeTheReferenceAndOnlyFailsWithUnknownVariable() {
        Random random = new Random(20261125L);
        for (int round = 0; round < 20_000; round++) {
            StringBuilder s = new StringBuilder();
            int length = random.nextInt(30);
            for (int i = 0; i < length; i++) {
                s.appendCodePoint(ALPHABET.codePointAt(
                        ALPHABET.offsetByCodePoints(0, random.nextInt(ALPHABET.codePointCount(0, ALPHABET.length())))));
            }
            String template = s.toString();
            ObjectNode doc = JsonNodeFactory.instance.objectNode();
            doc.put("value", template);
            doc.putArray("list").add(template);

            List<TemplateError> errors = new ArrayList<>();
            JsonNode out = JsonTemplate.compile(doc, "", List.of()).render(VALUES, errors);

            List<String> missing = new ArrayList<>();
            String expected = reference(template, missing);
            assertThat(out.get("value").asText()).as("template %s", template).isEqualTo(expected);
            assertThat(out.get("list").get(0).asText()).isEqualTo(expected);
            assertThat(errors)
                    .as("template %s", template)
                    .allSatisfy(e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNKNOWN_VARIABLE));
            assertThat(errors).hasSize(missing.size() * 2);
        }
    }
}
