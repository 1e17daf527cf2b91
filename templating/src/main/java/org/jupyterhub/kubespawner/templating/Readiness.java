package org.jupyterhub.kubespawner.templating;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When a rendered object counts as ready, as its template entry declares: either a condition type (the object's
 * {@code status.conditions} holds it with status {@code True}, the convention of Kubernetes and most custom
 * resources) or a path under {@code .status} and the text it must hold. The notebook pod is created only once every
 * object with a readiness rule is ready.
 *
 * @param conditionType the condition type, or null
 * @param jsonPath a path of field names and list indices under {@code .status}, e.g. {@code .status.phase}, or null
 * @param value the text {@code jsonPath} must give (numbers and booleans as JSON writes them), or null
 */
public record Readiness(String conditionType, String jsonPath, String value) {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern STEP = Pattern.compile("\\.([A-Za-z0-9_-]+)|\\[(\\d+)]");

    /**
     * What is wrong with a rule as written, or null when it can be used.
     *
     * @param conditionType see {@link #conditionType()}
     * @param jsonPath see {@link #jsonPath()}
     * @param value see {@link #value()}
     * @return the problem, or null
     */
    public static String problem(String conditionType, String jsonPath, String value) {
        if ((conditionType == null) == (jsonPath == null)) {
            return "readiness names either conditionType, or jsonPath with value";
        }
        if (jsonPath != null && value == null) {
            return "readiness.jsonPath needs readiness.value";
        }
        if (jsonPath != null && steps(jsonPath) == null) {
            return "readiness.jsonPath '" + jsonPath
                    + "' must be a path under .status of field names and list indices, e.g. .status.phase or"
                    + " .status.parents[0].conditions[0].status";
        }
        return null;
    }

    /**
     * Whether an object, as the API server holds it, meets the rule.
     *
     * @param object the object (its status is read)
     * @return true when ready
     */
    public boolean isReady(HasMetadata object) {
        if (object == null) {
            return false;
        }
        JsonNode tree = MAPPER.valueToTree(object);
        if (conditionType != null) {
            for (JsonNode condition : tree.path("status").path("conditions")) {
                if (conditionType.equals(condition.path("type").asText())
                        && "True".equals(condition.path("status").asText())) {
                    return true;
                }
            }
            return false;
        }
        JsonNode node = tree;
        for (Object step : steps(jsonPath)) {
            node = step instanceof Integer i ? node.path(i) : node.path((String) step);
        }
        if (node.isMissingNode() || node.isNull()) {
            return false;
        }
        return value.equals(node.isValueNode() ? node.asText() : node.toString());
    }

    /** @return the rule as status and messages show it, e.g. {@code condition Ready=True} */
    public String describe() {
        return conditionType != null ? "condition " + conditionType + "=True" : jsonPath + " == " + value;
    }

    /** The steps of a path under .status ({@code .status} first; a leading {@code $} or braces are allowed). */
    private static List<Object> steps(String path) {
        String p = path.trim();
        if (p.startsWith("{") && p.endsWith("}")) {
            p = p.substring(1, p.length() - 1);
        }
        if (p.startsWith("$")) {
            p = p.substring(1);
        }
        if (!p.startsWith(".")) {
            p = "." + p;
        }
        List<Object> steps = new ArrayList<>();
        Matcher m = STEP.matcher(p);
        int at = 0;
        while (at < p.length() && m.find(at) && m.start() == at) {
            steps.add(m.group(1) != null ? m.group(1) : Integer.valueOf(m.group(2)));
            at = m.end();
        }
        if (at != p.length() || steps.isEmpty() || !"status".equals(steps.get(0))) {
            return null;
        }
        return steps;
    }
}
