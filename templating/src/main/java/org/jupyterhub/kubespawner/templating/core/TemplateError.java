package org.jupyterhub.kubespawner.templating.core;

import java.util.Objects;

/**
 * One problem found while compiling or rendering a template.
 *
 * @param path where it is, JSONPath-like and relative to the template spec
 *     ({@code pods[0].spec.containers[0].env[2].value}, {@code pods[0].labels['app.kubernetes.io/name']}); empty
 *     when the problem is about a variable value rather than a place in the document
 * @param variable the variable concerned, or {@code null} when none is
 * @param kind a stable code
 * @param message a human-readable sentence saying what is wrong and what is allowed
 */
public record TemplateError(String path, String variable, ErrorKind kind, String message) {

    /**
     * Validates the components.
     *
     * @param path see {@link #path()}
     * @param variable see {@link #variable()}
     * @param kind see {@link #kind()}
     * @param message see {@link #message()}
     */
    public TemplateError {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return (path.isEmpty() ? "" : path + ": ") + message + " [" + kind + "]";
    }
}
