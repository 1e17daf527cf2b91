package org.jupyterhub.kubespawner.templating.core;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.databind.node.ValueNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.jupyterhub.kubespawner.templating.core.FieldRule.Check;

/**
 * A JSON document (any Jackson tree) whose string values are templates, compiled once into a render plan.
 *
 * <p>Every string value is parsed with {@link TemplateText}; object keys and non-string values are never changed.
 * Rendering builds a fresh tree (the compiled one is never exposed or mutated), so one instance can be rendered
 * concurrently from many threads. Strings at places named by {@link FieldRule}s are checked against Kubernetes'
 * syntax: text without placeholders once at compile time ({@link #problems()}), templated text after each render.
 */
public final class JsonTemplate {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Plan root;
    private final List<TemplateError> problems;
    private final Map<String, List<String>> placeholders;

    private JsonTemplate(Plan root, List<TemplateError> problems, Map<String, List<String>> placeholders) {
        this.root = root;
        this.problems = problems;
        this.placeholders = placeholders;
    }

    /**
     * Compiles a document. Never throws for any content.
     *
     * @param document the template document; it is copied, later changes to it have no effect
     * @param rootPath the path of {@code document} used as prefix in errors (e.g. {@code pods[0]}), may be empty
     * @param rules syntax rules; their patterns are relative to {@code document}
     * @return the compiled template
     */
    public static JsonTemplate compile(JsonNode document, String rootPath, List<FieldRule> rules) {
        Objects.requireNonNull(document, "document");
        Compiler compiler = new Compiler(rules);
        Plan plan = compiler.compile(document, rootPath, new ArrayList<>(), null);
        Map<String, List<String>> placeholders = new LinkedHashMap<>();
        compiler.placeholders.forEach((name, paths) -> placeholders.put(name, List.copyOf(paths)));
        return new JsonTemplate(plan, List.copyOf(compiler.problems), Collections.unmodifiableMap(placeholders));
    }

    /** @return Kubernetes syntax problems in text without placeholders (they fail every render, so fix the template) */
    public List<TemplateError> problems() {
        return problems;
    }

    /** @return every placeholder name used, with the paths where it appears, in document order */
    public Map<String, List<String>> placeholders() {
        return placeholders;
    }

    /**
     * Renders the document.
     *
     * @param values variable values, inserted verbatim
     * @param errors receives every problem: {@link ErrorKind#UNKNOWN_VARIABLE} for placeholders without a value and
     *     syntax violations of templated text
     * @return a fresh tree the caller owns
     */
    public JsonNode render(Map<String, String> values, List<TemplateError> errors) {
        return root.render(values, errors);
    }

    /**
     * Renders the document as a stream of JSON tokens, without building a tree (faster when the result is bound
     * to a Java type straight away, e.g. with a {@code TokenBuffer}). Same values, errors and checks as
     * {@link #render}.
     *
     * @param out where to write the document
     * @param values variable values, inserted verbatim
     * @param errors receives every problem
     * @throws IOException only if {@code out} fails
     */
    public void write(JsonGenerator out, Map<String, String> values, List<TemplateError> errors) throws IOException {
        root.write(out, values, errors);
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** One node of the render plan. */
    private sealed interface Plan permits Leaf, Text, Obj, Arr {
        JsonNode render(Map<String, String> values, List<TemplateError> errors);

        void write(JsonGenerator out, Map<String, String> values, List<TemplateError> errors) throws IOException;
    }

    /** A non-string value or a string without placeholders or escapes: shared, as value nodes are immutable. */
    private record Leaf(JsonNode node) implements Plan {
        @Override
        public JsonNode render(Map<String, String> values, List<TemplateError> errors) {
            return node;
        }

        @Override
        public void write(JsonGenerator out, Map<String, String> values, List<TemplateError> errors)
                throws IOException {
            if (node instanceof ValueNode value && !(node instanceof POJONode)) {
                value.serialize(out, null); // value nodes write themselves without a serializer provider
            } else {
                out.writeTree(node);
            }
        }
    }

    private record Text(TemplateText text, String path, Check check) implements Plan {
        @Override
        public JsonNode render(Map<String, String> values, List<TemplateError> errors) {
            String rendered = text.render(values, name -> errors.add(unknown(name, path, values)));
            if (check == Check.INT_OR_STRING) {
                return isSmallNumber(rendered)
                        ? IntNode.valueOf(Integer.parseInt(rendered))
                        : TextNode.valueOf(rendered);
            }
            if (check != null) {
                TemplateError problem = checkString(check, rendered, path);
                if (problem != null) {
                    errors.add(problem);
                }
            }
            return TextNode.valueOf(rendered);
        }

        @Override
        public void write(JsonGenerator out, Map<String, String> values, List<TemplateError> errors)
                throws IOException {
            JsonNode node = render(values, errors);
            if (node.isInt()) {
                out.writeNumber(node.intValue());
            } else {
                out.writeString(node.textValue());
            }
        }
    }

    private record Obj(String[] keys, Plan[] children, boolean annotationSizeChecked, String path) implements Plan {
        @Override
        public JsonNode render(Map<String, String> values, List<TemplateError> errors) {
            Map<String, JsonNode> fields = new LinkedHashMap<>(keys.length * 4 / 3 + 1);
            for (int i = 0; i < keys.length; i++) {
                fields.put(keys[i], children[i].render(values, errors));
            }
            ObjectNode node = new ObjectNode(NODES, fields);
            if (annotationSizeChecked) {
                TemplateError problem = checkAnnotationSize(node, path);
                if (problem != null) {
                    errors.add(problem);
                }
            }
            return node;
        }

        @Override
        public void write(JsonGenerator out, Map<String, String> values, List<TemplateError> errors)
                throws IOException {
            if (annotationSizeChecked) {
                JsonNode node = render(values, errors);
                out.writeTree(node);
                return;
            }
            out.writeStartObject();
            for (int i = 0; i < keys.length; i++) {
                out.writeFieldName(keys[i]);
                children[i].write(out, values, errors);
            }
            out.writeEndObject();
        }
    }

    private record Arr(Plan[] items) implements Plan {
        @Override
        public JsonNode render(Map<String, String> values, List<TemplateError> errors) {
            List<JsonNode> elements = new ArrayList<>(items.length);
            for (Plan item : items) {
                elements.add(item.render(values, errors));
            }
            return new ArrayNode(NODES, elements);
        }

        @Override
        public void write(JsonGenerator out, Map<String, String> values, List<TemplateError> errors)
                throws IOException {
            out.writeStartArray();
            for (Plan item : items) {
                item.write(out, values, errors);
            }
            out.writeEndArray();
        }
    }

    private static boolean isSmallNumber(String s) {
        if (s.isEmpty() || s.length() > 9) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static TemplateError unknown(String name, String path, Map<String, String> values) {
        return new TemplateError(
                path,
                name,
                ErrorKind.UNKNOWN_VARIABLE,
                "variable '" + name + "' is not defined; defined variables are " + new TreeSet<>(values.keySet()));
    }

    private static TemplateError checkString(Check check, String value, String path) {
        String problem;
        ErrorKind kind = ErrorKind.INVALID_NAME;
        switch (check) {
            case DNS1123_LABEL -> problem = KubernetesNames.checkDns1123Label(value);
            case DNS1123_SUBDOMAIN -> problem = KubernetesNames.checkDns1123Subdomain(value);
            case DNS1035_LABEL -> problem = KubernetesNames.checkDns1035Label(value);
            case QUANTITY -> {
                problem = KubernetesNames.checkQuantity(value);
                kind = ErrorKind.INVALID_QUANTITY;
            }
            case LABELS -> {
                problem = KubernetesNames.checkLabelValue(value);
                kind = ErrorKind.INVALID_LABEL_VALUE;
            }
            default -> problem = null;
        }
        return problem == null ? null : new TemplateError(path, null, kind, problem);
    }

    private static TemplateError checkAnnotationSize(JsonNode annotations, String path) {
        long size = 0;
        for (Map.Entry<String, JsonNode> e : annotations.properties()) {
            size += e.getKey().getBytes(StandardCharsets.UTF_8).length;
            size += e.getValue().asText("").getBytes(StandardCharsets.UTF_8).length;
        }
        if (size > KubernetesNames.ANNOTATIONS_MAX_BYTES) {
            return new TemplateError(
                    path,
                    null,
                    ErrorKind.ANNOTATIONS_TOO_LARGE,
                    "annotations total " + size + " bytes, more than Kubernetes allows ("
                            + KubernetesNames.ANNOTATIONS_MAX_BYTES + ")");
        }
        return null;
    }

    /** Walks the document once, building the plan and collecting placeholders and constant-text problems. */
    private static final class Compiler {
        private final List<List<Object>> ruleSegments = new ArrayList<>();
        private final List<Check> ruleChecks = new ArrayList<>();
        final List<TemplateError> problems = new ArrayList<>();
        final Map<String, List<String>> placeholders = new LinkedHashMap<>();

        Compiler(List<FieldRule> rules) {
            for (FieldRule rule : rules) {
                ruleSegments.add(rule.segments());
                ruleChecks.add(rule.check());
            }
        }

        private Check checkAt(List<Object> location) {
            for (int i = 0; i < ruleSegments.size(); i++) {
                if (FieldRule.matches(ruleSegments.get(i), location)) {
                    return ruleChecks.get(i);
                }
            }
            return null;
        }

        /**
         * @param inherited the check of the enclosing map for LABELS/ANNOTATIONS values, else null
         */
        Plan compile(JsonNode node, String path, List<Object> location, Check inherited) {
            Check check = inherited != null ? inherited : checkAt(location);
            if (node.isObject()) {
                return compileObject(node, path, location, check);
            }
            if (node.isArray()) {
                Plan[] items = new Plan[node.size()];
                for (int i = 0; i < items.length; i++) {
                    location.add(i);
                    items[i] = compile(node.get(i), JsonPaths.index(path, i), location, null);
                    location.remove(location.size() - 1);
                }
                return new Arr(items);
            }
            if (!node.isTextual()) {
                return new Leaf(node);
            }
            TemplateText text = TemplateText.parse(node.textValue());
            for (String name : text.variables()) {
                placeholders.computeIfAbsent(name, n -> new ArrayList<>()).add(path);
            }
            Check stringCheck = check == Check.ANNOTATIONS ? null : check;
            if (!text.isConstant()) {
                return new Text(text, path, stringCheck);
            }
            String constant = text.render(Map.of());
            if (stringCheck != null) {
                TemplateError problem = checkString(stringCheck, constant, path);
                if (problem != null) {
                    problems.add(problem);
                }
            }
            return new Leaf(text.isTemplated() ? TextNode.valueOf(constant) : node);
        }

        private Plan compileObject(JsonNode node, String path, List<Object> location, Check check) {
            boolean isMap = check == Check.LABELS || check == Check.ANNOTATIONS;
            String[] keys = new String[node.size()];
            Plan[] children = new Plan[node.size()];
            boolean templatedValue = false;
            int i = 0;
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                String key = field.getKey();
                String childPath = JsonPaths.field(path, key);
                if (isMap) {
                    String problem = KubernetesNames.checkQualifiedName(key);
                    if (problem != null) {
                        problems.add(new TemplateError(childPath, null, ErrorKind.INVALID_LABEL_KEY, problem));
                    }
                }
                keys[i] = key;
                location.add(key);
                children[i] = compile(field.getValue(), childPath, location, isMap ? check : null);
                location.remove(location.size() - 1);
                templatedValue |= !(children[i] instanceof Leaf);
                i++;
            }
            boolean annotations = check == Check.ANNOTATIONS;
            if (annotations && !templatedValue) {
                TemplateError problem = checkAnnotationSize(node, path);
                if (problem != null) {
                    problems.add(problem);
                }
            }
            return new Obj(keys, children, annotations && templatedValue, path);
        }
    }
}
