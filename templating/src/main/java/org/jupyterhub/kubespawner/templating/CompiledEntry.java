package org.jupyterhub.kubespawner.templating;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.io.IOException;
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
        Retention retention) {

    // Only used for tree <-> POJO conversion, which is thread-safe once configured.
    private static final ObjectMapper MAPPER = new ObjectMapper();

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
        String path = JsonPaths.index(kind.field(), index);
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
        Retention retention =
                kind.retainable() && !"Delete".equals(tree.path("whenDeleted").asText())
                        ? Retention.RETAIN
                        : Retention.DELETE;
        tree.remove(List.of("weight", "notebook", "notebookPort", "whenDeleted"));
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
                retention);
    }

    /** @return this entry as the template's notebook server */
    CompiledEntry asNotebook() {
        return new CompiledEntry(kind, index, path, head, body, weight, markedNotebook, true, port, retention);
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
