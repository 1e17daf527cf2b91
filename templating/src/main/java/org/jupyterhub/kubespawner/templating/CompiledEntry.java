package org.jupyterhub.kubespawner.templating;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jupyterhub.kubespawner.templating.core.ErrorKind;
import org.jupyterhub.kubespawner.templating.core.JsonPaths;
import org.jupyterhub.kubespawner.templating.core.JsonTemplate;
import org.jupyterhub.kubespawner.templating.core.TemplateError;

/**
 * One entry of a template (e.g. {@code pods[0]}) compiled for its {@link ObjectKind}: the head (name, labels,
 * annotations, notebookContainer) and the body (the object's own fields, e.g. {@code spec}) as render plans, and the
 * settings that are not templated.
 *
 * @param kind the entry's kind
 * @param index its position in the template's list
 * @param path its path in the template, e.g. {@code pods[0]}
 * @param head the entry without its body and settings
 * @param body the object's own fields, rendered straight into {@link ObjectKind#type()} (no tree)
 * @param weight creation order among its kind
 * @param markedNotebook whether the entry says {@code notebook: true}
 * @param notebook whether it is the template's notebook server (set after all entries are compiled)
 * @param port its {@code notebookPort}, else {@link CompiledTemplate#DEFAULT_NOTEBOOK_PORT}
 * @param retention its {@code whenDeleted} where the kind honours it, else {@link Retention#DELETE}
 * @param readiness when the rendered object counts as ready (allowlisted kinds only), or null
 */
record CompiledEntry(
        ObjectKind<?> kind,
        int index,
        String path,
        JsonTemplate head,
        JsonTemplate body,
        int weight,
        boolean markedNotebook,
        boolean notebook,
        int port,
        Retention retention,
        Readiness readiness) {

    // Only used for tree <-> POJO conversion, which is thread-safe once configured.
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** The fields of an extraObjects entry that are its settings, never the object's. */
    private static final List<String> EXTRA_SETTINGS =
            List.of("apiVersion", "kind", "weight", "whenDeleted", "readiness");

    /** The head: what becomes the object's metadata. */
    private static final List<String> HEAD = List.of("name", "labels", "annotations");

    /**
     * Compiles one entry. Problems that make it unusable are reported, never thrown.
     *
     * @param kind the entry's kind
     * @param index its position in the template's list
     * @param entry the entry as the model holds it (null is an empty entry)
     * @param imagePolicy the template's policy, for constant images; null when it allows nothing (reported apart)
     * @param problems receives the template's problems
     * @return the compiled entry
     */
    static CompiledEntry compile(
            ObjectKind<?> kind, int index, Object entry, ImagePolicy imagePolicy, List<TemplateError> problems) {
        return compile(kind, index, JsonPaths.index(kind.field(), index), entry, imagePolicy, problems);
    }

    /**
     * Compiles one entry found at a path of its own (an {@code extraObjects} entry, or an object the template's
     * {@code serviceAccount} stands for).
     *
     * @param kind the entry's kind
     * @param index its position in its list
     * @param path its path in the template, for errors
     * @param entry the entry as the model holds it, or as a tree
     * @param imagePolicy the template's policy, for constant images; null when it allows nothing
     * @param problems receives the template's problems
     * @return the compiled entry
     */
    static CompiledEntry compile(
            ObjectKind<?> kind,
            int index,
            String path,
            Object entry,
            ImagePolicy imagePolicy,
            List<TemplateError> problems) {
        ObjectNode tree;
        try {
            tree = entry == null ? MAPPER.createObjectNode() : MAPPER.valueToTree(entry);
        } catch (IllegalArgumentException e) {
            problems.add(new TemplateError(
                    path, null, ErrorKind.INVALID_OBJECT, "cannot read the object: " + e.getMessage()));
            tree = MAPPER.createObjectNode();
        }
        if (!tree.path("name").isTextual()) {
            problems.add(new TemplateError(
                    JsonPaths.field(path, "name"), null, ErrorKind.INVALID_STRUCTURE, "name is required"));
        }
        // The body is compiled apart so that it can be rendered straight into its fabric8 type.
        ObjectNode body = MAPPER.createObjectNode();
        Readiness readiness = null;
        if (kind.allowlisted()) {
            readiness = readiness(kind, tree.path("readiness"), path, problems);
            List<String> fields = new ArrayList<>();
            tree.fieldNames().forEachRemaining(fields::add);
            for (String field : fields) {
                if (HEAD.contains(field) || EXTRA_SETTINGS.contains(field)) {
                    continue;
                }
                if (kind.body().isEmpty() && !"status".equals(field) && !"metadata".equals(field)) {
                    body.set(field, tree.remove(field)); // a custom resource: its fields are the template's
                } else if (!kind.body().contains(field)) {
                    tree.remove(field);
                    problems.add(new TemplateError(
                            JsonPaths.field(path, field),
                            null,
                            ErrorKind.INVALID_STRUCTURE,
                            "a " + kind.kind() + " entry has no field '" + field + "'; besides name, labels,"
                                    + " annotations and the settings " + EXTRA_SETTINGS + " it may hold "
                                    + (kind.body().isEmpty()
                                            ? "the object's fields but metadata and status"
                                            : kind.body())));
                }
            }
        }
        for (String field : kind.body()) {
            JsonNode value = tree.remove(field);
            if (value != null && !value.isNull()) {
                body.set(field, value);
            } else if (kind.requiredBody().contains(field)) {
                problems.add(new TemplateError(
                        JsonPaths.field(path, field), null, ErrorKind.INVALID_STRUCTURE, field + " is required"));
            }
        }
        if (kind.podSpec() != null && imagePolicy != null) {
            imagePolicy.checkConstantImages(
                    at(body, kind.podSpec().path()), path + "." + kind.podSpec().path(), problems);
        }
        // Settings, not templated: taken out of the head, which is rendered for every instance.
        int weight = tree.path("weight").asInt(0);
        boolean markedNotebook = tree.path("notebook").asBoolean(false);
        JsonNode port = tree.path("notebookPort");
        String whenDeleted = tree.path("whenDeleted").asText();
        Retention retention =
                kind.retainable() && (kind.allowlisted() ? "Retain".equals(whenDeleted) : !"Delete".equals(whenDeleted))
                        ? Retention.RETAIN
                        : Retention.DELETE;
        if (!kind.retainable() && "Retain".equals(whenDeleted)) {
            problems.add(new TemplateError(
                    JsonPaths.field(path, "whenDeleted"),
                    null,
                    ErrorKind.INVALID_STRUCTURE,
                    "a " + kind.kind() + " cannot be retained: it goes with its instance (whenDeleted: Delete)"));
        }
        tree.remove(List.of("weight", "notebook", "notebookPort", "whenDeleted", "apiVersion", "kind", "readiness"));
        return new CompiledEntry(
                kind,
                index,
                path,
                JsonTemplate.compile(tree, path, kind.headRules()),
                JsonTemplate.compile(body, path, kind.rules()),
                weight,
                markedNotebook,
                false,
                port.isInt() ? port.intValue() : CompiledTemplate.DEFAULT_NOTEBOOK_PORT,
                retention,
                readiness);
    }

    /** An entry's readiness rule, or null; a rule that cannot be used is a problem. */
    private static Readiness readiness(ObjectKind<?> kind, JsonNode node, String path, List<TemplateError> problems) {
        if (!node.isObject()) {
            return null;
        }
        String conditionType = node.path("conditionType").textValue();
        String jsonPath = node.path("jsonPath").textValue();
        String value = node.path("value").textValue();
        String problem = Readiness.problem(conditionType, jsonPath, value);
        if (problem == null && kind == AllowlistedKinds.SECRET) {
            problem = "a Secret has no readiness (the operator never reads Secrets)";
        }
        if (problem != null) {
            problems.add(
                    new TemplateError(JsonPaths.field(path, "readiness"), null, ErrorKind.INVALID_STRUCTURE, problem));
            return null;
        }
        return new Readiness(conditionType, jsonPath, value);
    }

    /** @return this entry as the template's notebook server */
    CompiledEntry asNotebook() {
        return new CompiledEntry(
                kind, index, path, head, body, weight, markedNotebook, true, port, retention, readiness);
    }

    /**
     * Renders the body into the kind's type and sets its metadata from the rendered head.
     *
     * @param head the rendered head
     * @param values the variable values
     * @param errors receives every problem
     * @return the object, or null when the rendered body does not fit the type (an error says why)
     */
    HasMetadata render(JsonNode head, Map<String, String> values, List<TemplateError> errors) {
        TokenBuffer buffer = new TokenBuffer(MAPPER, false);
        HasMetadata object;
        try {
            body.write(buffer, values, errors);
            try (JsonParser parser = buffer.asParser()) {
                object = MAPPER.readValue(parser, kind.type());
            }
        } catch (IOException | RuntimeException e) {
            // Only a rendered value can get here (the body was typed when compiled), e.g. text in a numeric field.
            String what = kind.body().size() == 1 ? kind.body().get(0) : "object";
            errors.add(new TemplateError(
                    kind.body().size() == 1 ? JsonPaths.field(path, what) : path,
                    null,
                    ErrorKind.INVALID_OBJECT,
                    "the rendered " + what + " is not a valid " + kind.kind() + " " + what + ": " + e.getMessage()));
            return null;
        }
        object.setMetadata(metadata(head));
        if (object instanceof GenericKubernetesResource generic) {
            // Generic resources (HTTPRoute, custom resources) know their kind only from their row.
            generic.setApiVersion(kind.apiVersion());
            generic.setKind(kind.kind());
        }
        return object;
    }

    /** @return the pod spec of a rendered object of this entry's kind, or null if the kind has none */
    PodSpec podSpec(HasMetadata object) {
        return object == null || kind.podSpec() == null ? null : podSpecOf(kind, object);
    }

    private static <T extends HasMetadata> PodSpec podSpecOf(ObjectKind<T> kind, HasMetadata object) {
        return kind.podSpec().of().apply(kind.cast(object));
    }

    private static ObjectMeta metadata(JsonNode head) {
        ObjectMeta meta = new ObjectMeta();
        meta.setName(head.path("name").asText(null));
        meta.setLabels(stringMap(head.get("labels")));
        meta.setAnnotations(stringMap(head.get("annotations")));
        return meta;
    }

    private static Map<String, String> stringMap(JsonNode node) {
        if (node == null || !node.isObject()) {
            return null;
        }
        Map<String, String> map = new LinkedHashMap<>(node.size() * 4 / 3 + 1);
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            map.put(
                    field.getKey(),
                    field.getValue().isNull() ? null : field.getValue().asText());
        }
        return map;
    }

    /** The node at a dotted path of field names, or a missing node. */
    private static JsonNode at(JsonNode node, String dotted) {
        for (String field : dotted.split("\\.")) {
            node = node.path(field);
        }
        return node;
    }
}
