package org.jupyterhub.kubespawner.templating.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TemplateTextTest {

    private static final Map<String, String> VALUES = Map.of("name", "ada", "user_server", "ada--gpu", "_x1", "X");

    private static String render(String template) {
        return TemplateText.parse(template).render(VALUES);
    }

    @Test
    void replacesIdentifierPlaceholders() {
        assertThat(render("jupyter-{user_server}")).isEqualTo("jupyter-ada--gpu");
        assertThat(render("{name}{name}/{_x1}")).isEqualTo("adaada/X");
        assertThat(TemplateText.parse("claim-{user_server}-{name}").variables()).containsExactly("user_server", "name");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "{{              | {",
                "}}              | }",
                "{{name}}        | {name}",
                "{{{name}}}      | {ada}",
                "${{HOME}}       | ${HOME}",
                "a}}b{{c         | a}b{c",
                "}}}             | }}",
                "{{{             | {{",
            })
    void doubledBracesAreLiteralBraces(String template, String expected) {
        assertThat(render(template)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "`{\"a\": 1}`",
                "{ name }",
                "{1}",
                "{name-x}",
                "{na.me}",
                "{}",
                "{",
                "}",
                "a{b",
                "{name",
                "name}",
                "{é}",
                "`{\"k\": [1, 2], \"n\": null}`",
            })
    void otherBraceTextStaysLiteral(String template) {
        assertThat(render(template)).isEqualTo(template);
        assertThat(TemplateText.parse(template).isConstant()).isTrue();
    }

    @Test
    void nestedJsonNeedsDoubledClosingBraces() {
        // "}}" is always an escape, so JSON ending in "}}" must write "}}}}"; documented in the README.
        assertThat(render("{\"a\": {\"b\": 1}}")).isEqualTo("{\"a\": {\"b\": 1}");
        assertThat(render("{\"a\": {\"b\": 1}}}}")).isEqualTo("{\"a\": {\"b\": 1}}");
    }

    @Test
    void valuesAreInsertedVerbatimAndNeverRescanned() {
        Map<String, String> values = Map.of("a", "{b}", "b", "boom", "c", "${env:HOME}", "d", "{{");
        assertThat(TemplateText.parse("{a}|{c}|{d}").render(values)).isEqualTo("{b}|${env:HOME}|{{");
    }

    @Test
    void missingValuesAreReportedAndRenderEmpty() {
        List<String> missing = new ArrayList<>();
        String out = TemplateText.parse("x-{nope}-{name}-{nope}").render(VALUES, missing::add);
        assertThat(out).isEqualTo("x--ada-");
        assertThat(missing).containsExactly("nope", "nope");
    }

    @Test
    void textWithoutBracesIsSharedNotCopied() {
        String source = new String("plain text");
        TemplateText text = TemplateText.parse(source);
        assertThat(text.isTemplated()).isFalse();
        assertThat(text.render(VALUES)).isSameAs(source);
        assertThat(TemplateText.parse("a{{b").isTemplated()).isTrue();
        assertThat(TemplateText.parse("a{b").isTemplated()).isFalse();
    }

    @Test
    void identifiersFollowTheDocumentedGrammar() {
        assertThat(TemplateText.isIdentifier("user_server")).isTrue();
        assertThat(TemplateText.isIdentifier("_")).isTrue();
        assertThat(TemplateText.isIdentifier("A9")).isTrue();
        assertThat(TemplateText.isIdentifier("9a")).isFalse();
        assertThat(TemplateText.isIdentifier("a-b")).isFalse();
        assertThat(TemplateText.isIdentifier("")).isFalse();
        assertThat(TemplateText.isIdentifier(null)).isFalse();
        assertThat(TemplateText.isIdentifier("ünï")).isFalse();
    }

    @Test
    void unicodeAroundPlaceholdersIsKept() {
        assertThat(render("😀{name}李")).isEqualTo("😀ada李");
    }
}
