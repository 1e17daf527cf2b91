package org.jupyterhub.kubespawner.templating.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.jupyterhub.kubespawner.templating.core.FieldRule.Check;

class JsonTemplateTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static JsonNode render(JsonTemplate template, Map<String, String> values, List<TemplateError> errors) {
        return template.render(values, errors);
    }

    @Test
    void substitutesEveryStringValueButNoKeyAndNoOtherType() {
        JsonNode doc = json("{'name': 'jupyter-{u}', '{u}': 'key stays', 'n': 5, 'b': true, 'z': null,"
                + " 'list': ['{u}', 1, ['{u}!', {'deep': 'x{u}x'}]], 'empty': {}, 'none': []}");
        List<TemplateError> errors = new ArrayList<>();
        JsonNode out = render(JsonTemplate.compile(doc, "", List.of()), Map.of("u", "ada"), errors);
        assertThat(errors).isEmpty();
        assertThat(out)
                .isEqualTo(json("{'name': 'jupyter-ada', '{u}': 'key stays', 'n': 5, 'b': true, 'z': null,"
                        + " 'list': ['ada', 1, ['ada!', {'deep': 'xadax'}]], 'empty': {}, 'none': []}"));
    }

    @Test
    void unknownVariablesAreAllReportedWithPathsAndTheDefinedNames() {
        JsonNode doc = json("{'spec': {'containers': [{'env': [{'value': 'a'}, {'value': 'b'}, {'value': '{oops}'}],"
                + " 'image': '{img}'}]}, 'labels': {'hub.jupyter.org/username': '{who}'}}");
        List<TemplateError> errors = new ArrayList<>();
        render(JsonTemplate.compile(doc, "pods[0]", List.of()), Map.of("u", "x", "a", "y"), errors);
        assertThat(errors)
                .extracting(TemplateError::path)
                .containsExactly(
                        "pods[0].spec.containers[0].env[2].value",
                        "pods[0].spec.containers[0].image",
                        "pods[0].labels['hub.jupyter.org/username']");
        assertThat(errors).allSatisfy(e -> {
            assertThat(e.kind()).isEqualTo(ErrorKind.UNKNOWN_VARIABLE);
            assertThat(e.message()).contains("[a, u]");
        });
        assertThat(errors.get(0).variable()).isEqualTo("oops");
    }

    @Test
    void placeholdersAreListedWithTheirPaths() {
        JsonNode doc = json("{'a': '{x}', 'b': ['{y}{x}']}");
        JsonTemplate template = JsonTemplate.compile(doc, "r", List.of());
        assertThat(template.placeholders())
                .containsExactly(Map.entry("x", List.of("r.a", "r.b[0]")), Map.entry("y", List.of("r.b[0]")));
    }

    @Test
    void compiledTemplateIsNeitherSharedWithTheSourceNorWithRenders() {
        ObjectNode doc = (ObjectNode) json("{'m': {'k': '{v}'}, 'l': [{'c': 'const'}]}");
        JsonTemplate template = JsonTemplate.compile(doc, "", List.of());
        doc.put("added", "later");
        List<TemplateError> errors = new ArrayList<>();
        ObjectNode first = (ObjectNode) render(template, Map.of("v", "1"), errors);
        ((ObjectNode) first.get("l").get(0)).put("c", "mutated");
        ((ObjectNode) first.get("m")).put("k", "mutated");
        JsonNode second = render(template, Map.of("v", "2"), errors);
        assertThat(second).isEqualTo(json("{'m': {'k': '2'}, 'l': [{'c': 'const'}]}"));
        assertThat(errors).isEmpty();
    }

    @Test
    void escapedBracesInConstantTextAreResolved() {
        JsonNode doc = json("{'cmd': 'echo ${{HOME}} {{\\'a\\': 1}}'}");
        JsonNode out = render(JsonTemplate.compile(doc, "", List.of()), Map.of(), new ArrayList<>());
        assertThat(out.get("cmd").asText()).isEqualTo("echo ${HOME} {\"a\": 1}");
    }

    @Test
    void constantTextIsCheckedAtCompileTimeTemplatedTextAfterRender() {
        JsonNode doc = json("{'name': 'Bad_Name', 'spec': {'containers': [{'name': 'nb-{c}'}]},"
                + " 'labels': {'ok': 'fine', 'bad key!': 'x', 'v': '{lv}', 'w': '-bad'}}");
        List<FieldRule> rules = List.of(
                new FieldRule("name", Check.DNS1123_SUBDOMAIN),
                new FieldRule("spec.containers[*].name", Check.DNS1123_LABEL),
                new FieldRule("labels", Check.LABELS));
        JsonTemplate template = JsonTemplate.compile(doc, "pods[1]", rules);
        assertThat(template.problems())
                .extracting(TemplateError::path, TemplateError::kind)
                .containsExactly(
                        tuple("pods[1].name", ErrorKind.INVALID_NAME),
                        tuple("pods[1].labels['bad key!']", ErrorKind.INVALID_LABEL_KEY),
                        tuple("pods[1].labels.w", ErrorKind.INVALID_LABEL_VALUE));

        List<TemplateError> ok = new ArrayList<>();
        render(template, Map.of("c", "1", "lv", "x.y"), ok);
        assertThat(ok).isEmpty();

        List<TemplateError> bad = new ArrayList<>();
        render(template, Map.of("c", "UP", "lv", "a".repeat(64)), bad);
        assertThat(bad)
                .extracting(TemplateError::path, TemplateError::kind)
                .containsExactly(
                        tuple("pods[1].spec.containers[0].name", ErrorKind.INVALID_NAME),
                        tuple("pods[1].labels.v", ErrorKind.INVALID_LABEL_VALUE));
    }

    @Test
    void annotationsAreLimitedTo256KiBInTotal() {
        JsonNode doc = json("{'annotations': {'a': '{big}', 'b': 'small'}}");
        JsonTemplate template = JsonTemplate.compile(doc, "", List.of(new FieldRule("annotations", Check.ANNOTATIONS)));
        List<TemplateError> errors = new ArrayList<>();
        render(template, Map.of("big", "x".repeat(100)), errors);
        assertThat(errors).isEmpty();
        render(template, Map.of("big", "x".repeat(KubernetesNames.ANNOTATIONS_MAX_BYTES)), errors);
        assertThat(errors).singleElement().extracting(TemplateError::kind).isEqualTo(ErrorKind.ANNOTATIONS_TOO_LARGE);
    }

    @Test
    void fieldRulePatternsMatchWildcards() {
        List<Object> segments = new FieldRule("spec.*[*].name", Check.DNS1123_LABEL).segments();
        assertThat(FieldRule.matches(segments, List.of("spec", "initContainers", 3, "name")))
                .isTrue();
        assertThat(FieldRule.matches(segments, List.of("spec", "initContainers", "x", "name")))
                .isFalse();
        assertThat(FieldRule.matches(segments, List.of("spec", "initContainers", 3)))
                .isFalse();
        assertThat(FieldRule.matches(new FieldRule("", Check.LABELS).segments(), List.of()))
                .isTrue();
    }

    @Test
    void pathsQuoteKeysThatAreNotIdentifiers() {
        assertThat(JsonPaths.field("", "spec")).isEqualTo("spec");
        assertThat(JsonPaths.field("m", "app.kubernetes.io/name")).isEqualTo("m['app.kubernetes.io/name']");
        assertThat(JsonPaths.field("m", "it's")).isEqualTo("m['it\\'s']");
        assertThat(JsonPaths.index("l", 2)).isEqualTo("l[2]");
    }
}
