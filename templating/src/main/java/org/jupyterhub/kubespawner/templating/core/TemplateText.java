package org.jupyterhub.kubespawner.templating.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One template string, parsed once into literal text and placeholders.
 *
 * <p>The syntax (the whole of it):
 * <ul>
 *   <li>{@code {name}} where {@code name} matches {@code [A-Za-z_][A-Za-z0-9_]*} is a placeholder;</li>
 *   <li><code>{{</code> is a literal <code>{</code> and <code>}}</code> is a literal <code>}</code>;</li>
 *   <li>every other character, including any other brace, is literal text: {@code {"a": 1}}, {@code { x }},
 *       {@code {1}} or a lone <code>}</code> stay exactly as written.</li>
 * </ul>
 * Parsing never fails. Rendering inserts values verbatim and never scans them again, so a value such as
 * {@code {other}} or {@code ${env:HOME}} appears literally in the output; there are no lookups of any kind.
 *
 * <p>Instances are immutable and thread-safe. A hand-written scanner is used instead of commons-text's
 * {@code StringSubstitutor}: the grammar above (identifier-only placeholders, everything else literal) is not
 * what {@code StringSubstitutor}'s matchers express without custom code, and a single pass over a pre-split
 * string is both simpler to reason about and faster than re-scanning at every render.
 */
public final class TemplateText {

    private static final String[] NO_VARIABLES = new String[0];

    private final String source;
    /** {@code literals.length == variables.length + 1}; rendering interleaves them. */
    private final String[] literals;

    private final String[] variables;
    private final int literalLength;

    private TemplateText(String source, String[] literals, String[] variables) {
        this.source = source;
        this.literals = literals;
        this.variables = variables;
        int length = 0;
        for (String literal : literals) {
            length += literal.length();
        }
        this.literalLength = length;
    }

    /**
     * Parses a template string. Never throws for any content.
     *
     * @param source the template text, not null
     * @return the parsed template
     */
    public static TemplateText parse(String source) {
        Objects.requireNonNull(source, "source");
        if (source.indexOf('{') < 0 && source.indexOf('}') < 0) {
            return new TemplateText(source, new String[] {source}, NO_VARIABLES);
        }
        List<String> literals = new ArrayList<>();
        List<String> variables = new ArrayList<>();
        StringBuilder literal = new StringBuilder(source.length());
        int length = source.length();
        int i = 0;
        while (i < length) {
            char c = source.charAt(i);
            if (c == '{') {
                if (i + 1 < length && source.charAt(i + 1) == '{') {
                    literal.append('{');
                    i += 2;
                    continue;
                }
                int end = identifierEnd(source, i + 1);
                if (end > i + 1 && end < length && source.charAt(end) == '}') {
                    literals.add(literal.toString());
                    literal.setLength(0);
                    variables.add(source.substring(i + 1, end));
                    i = end + 1;
                    continue;
                }
                literal.append('{');
                i++;
            } else if (c == '}') {
                literal.append('}');
                i += (i + 1 < length && source.charAt(i + 1) == '}') ? 2 : 1;
            } else {
                literal.append(c);
                i++;
            }
        }
        literals.add(literal.toString());
        return new TemplateText(source, literals.toArray(new String[0]), variables.toArray(new String[0]));
    }

    /** Index just past the identifier starting at {@code start}, or {@code start} if there is none. */
    private static int identifierEnd(String s, int start) {
        if (start >= s.length() || !isIdentifierStart(s.charAt(start))) {
            return start;
        }
        int i = start + 1;
        while (i < s.length() && isIdentifierPart(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static boolean isIdentifierStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }

    private static boolean isIdentifierPart(char c) {
        return isIdentifierStart(c) || (c >= '0' && c <= '9');
    }

    /**
     * Whether {@code name} is a valid variable name ({@code [A-Za-z_][A-Za-z0-9_]*}).
     *
     * @param name a candidate name, may be null
     * @return true if it can be used as a placeholder
     */
    public static boolean isIdentifier(String name) {
        return name != null && !name.isEmpty() && identifierEnd(name, 0) == name.length();
    }

    /** @return the text as written in the template */
    public String source() {
        return source;
    }

    /** @return true if the text has no placeholders (it may still contain escaped braces) */
    public boolean isConstant() {
        return variables.length == 0;
    }

    /** @return true if rendering can produce something other than {@link #source()} */
    public boolean isTemplated() {
        return variables.length > 0 || !literals[0].equals(source);
    }

    /** @return the distinct variable names used, in order of first appearance */
    public Set<String> variables() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(Arrays.asList(variables)));
    }

    /**
     * Renders with the given values, inserted verbatim.
     *
     * @param values variable values; a placeholder whose name is absent renders as the empty string and is
     *     reported to {@code onMissing}
     * @param onMissing receives the name of every placeholder without a value (once per occurrence)
     * @return the rendered text
     */
    public String render(Map<String, String> values, Consumer<String> onMissing) {
        if (variables.length == 0) {
            return literals[0];
        }
        String[] resolved = new String[variables.length];
        int length = literalLength;
        for (int v = 0; v < variables.length; v++) {
            String value = values.get(variables[v]);
            if (value == null) {
                onMissing.accept(variables[v]);
                value = "";
            }
            resolved[v] = value;
            length += value.length();
        }
        StringBuilder out = new StringBuilder(length);
        out.append(literals[0]);
        for (int v = 0; v < variables.length; v++) {
            out.append(resolved[v]).append(literals[v + 1]);
        }
        return out.toString();
    }

    /**
     * Renders with the given values; a placeholder without a value renders as the empty string.
     *
     * @param values variable values
     * @return the rendered text
     */
    public String render(Map<String, String> values) {
        return render(values, name -> {});
    }

    @Override
    public String toString() {
        return source;
    }
}
