package org.jupyterhub.kubespawner.templating.core;

/**
 * Builds the JSONPath-like locations used in errors: {@code pods[0].spec.containers[1].env[2].value}; keys that
 * are not identifiers are quoted: {@code metadata.labels['hub.jupyter.org/username']}.
 */
public final class JsonPaths {

    private JsonPaths() {}

    /**
     * @param parent the parent path, empty for the root
     * @param key a field name
     * @return the path of the field
     */
    public static String field(String parent, String key) {
        if (TemplateText.isIdentifier(key)) {
            return parent.isEmpty() ? key : parent + "." + key;
        }
        return parent + "['" + key.replace("\\", "\\\\").replace("'", "\\'") + "']";
    }

    /**
     * @param parent the parent path
     * @param index an array index
     * @return the path of the element
     */
    public static String index(String parent, int index) {
        return parent + "[" + index + "]";
    }
}
