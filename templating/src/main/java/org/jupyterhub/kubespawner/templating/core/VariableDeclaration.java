package org.jupyterhub.kubespawner.templating.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A variable as declared by a template (the library's own type, independent of the generated model).
 *
 * @param name the placeholder name, {@code [A-Za-z_][A-Za-z0-9_]*}
 * @param description free text for humans, may be null
 * @param defaultValue used when the instance gives no value, may be null; must satisfy pattern, maxLength and enum
 * @param required if true, an instance must give a value (a default does not count)
 * @param pattern a Java regular expression the whole value must match ({@link java.util.regex.Matcher#matches()}),
 *     may be null
 * @param maxLength the maximum length in Unicode code points, may be null
 * @param enumValues the allowed values, may be null or empty (no restriction)
 */
public record VariableDeclaration(
        String name,
        String description,
        String defaultValue,
        boolean required,
        String pattern,
        Integer maxLength,
        List<String> enumValues) {

    /**
     * Copies the enum list so the record stays immutable.
     *
     * @param name see {@link #name()}
     * @param description see {@link #description()}
     * @param defaultValue see {@link #defaultValue()}
     * @param required see {@link #required()}
     * @param pattern see {@link #pattern()}
     * @param maxLength see {@link #maxLength()}
     * @param enumValues see {@link #enumValues()}
     */
    public VariableDeclaration {
        // Not List.copyOf: a null entry must reach Variables.compile as a reported problem, not throw here.
        enumValues = enumValues == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(enumValues));
    }

    /**
     * A variable without restrictions.
     *
     * @param name the placeholder name
     * @param defaultValue the default, may be null
     * @return the declaration
     */
    public static VariableDeclaration of(String name, String defaultValue) {
        return new VariableDeclaration(name, null, defaultValue, false, null, null, null);
    }

    /**
     * A required variable whose value must match a pattern.
     *
     * @param name the placeholder name
     * @param pattern the regular expression, may be null
     * @return the declaration
     */
    public static VariableDeclaration required(String name, String pattern) {
        return new VariableDeclaration(name, null, null, true, pattern, null, null);
    }
}
