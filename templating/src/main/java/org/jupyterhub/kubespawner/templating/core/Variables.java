package org.jupyterhub.kubespawner.templating.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A template's variable declarations, checked and compiled once (regexes included), then used to resolve the
 * values of each render. Immutable and thread-safe.
 *
 * <p>Resolution rules: an instance may set only declared variables, never a built-in one; a required variable
 * must be set by the instance (a default does not count, as the CRD documents); any other declared variable takes
 * the instance's value, else its default, else the empty string. Every
 * supplied value and every default must fully match {@code pattern}, be at most {@code maxLength} code points and
 * be one of {@code enum} when those are declared.
 */
public final class Variables {

    private final Map<String, Declared> declared;
    private final Set<String> builtinNames;
    private final List<TemplateError> problems;

    private record Declared(VariableDeclaration declaration, Pattern pattern) {}

    private Variables(Map<String, Declared> declared, Set<String> builtinNames, List<TemplateError> problems) {
        this.declared = declared;
        this.builtinNames = builtinNames;
        this.problems = problems;
    }

    /**
     * Checks and compiles declarations. Never throws for bad declarations: they are reported by {@link #problems()}
     * and left out (an invalid regex is ignored rather than applied).
     *
     * @param declarations the template's variables, in order
     * @param builtinNames the names the caller supplies at render time; they cannot be declared
     * @param pathPrefix path of the declarations list in the template, e.g. {@code variables}
     * @return the compiled set
     */
    public static Variables compile(
            List<VariableDeclaration> declarations, Set<String> builtinNames, String pathPrefix) {
        Map<String, Declared> declared = new LinkedHashMap<>();
        List<TemplateError> problems = new ArrayList<>();
        for (int i = 0; i < declarations.size(); i++) {
            VariableDeclaration d = declarations.get(i);
            String path = pathPrefix + "[" + i + "]";
            String name = d.name();
            if (!TemplateText.isIdentifier(name)) {
                problems.add(new TemplateError(
                        path + ".name",
                        name,
                        ErrorKind.INVALID_DECLARATION,
                        "variable name '" + name + "' is not valid: it must match [A-Za-z_][A-Za-z0-9_]*"));
                continue;
            }
            if (builtinNames.contains(name)) {
                problems.add(new TemplateError(
                        path + ".name",
                        name,
                        ErrorKind.RESERVED_VARIABLE,
                        "variable '" + name + "' is built in and cannot be declared; built-in variables are "
                                + new TreeSet<>(builtinNames)));
                continue;
            }
            if (declared.containsKey(name)) {
                problems.add(new TemplateError(
                        path + ".name",
                        name,
                        ErrorKind.DUPLICATE_VARIABLE,
                        "variable '" + name + "' is declared more than once"));
                continue;
            }
            Pattern pattern = null;
            if (d.pattern() != null) {
                try {
                    pattern = Pattern.compile(d.pattern());
                } catch (PatternSyntaxException e) {
                    problems.add(new TemplateError(
                            path + ".pattern",
                            name,
                            ErrorKind.INVALID_DECLARATION,
                            "pattern of variable '" + name + "' is not a valid regular expression: "
                                    + e.getDescription() + " near index " + e.getIndex()));
                }
            }
            if (d.maxLength() != null && d.maxLength() < 0) {
                problems.add(new TemplateError(
                        path + ".maxLength",
                        name,
                        ErrorKind.INVALID_DECLARATION,
                        "maxLength of variable '" + name + "' must not be negative"));
            }
            Declared compiled = new Declared(d, pattern);
            if (d.defaultValue() != null) {
                for (String reason : violations(compiled, d.defaultValue())) {
                    problems.add(new TemplateError(
                            path + ".default",
                            name,
                            ErrorKind.INVALID_DEFAULT,
                            "default of variable '" + name + "' " + reason));
                }
            }
            for (int e = 0; e < d.enumValues().size(); e++) {
                String allowed = d.enumValues().get(e);
                if (allowed == null) {
                    problems.add(new TemplateError(
                            path + ".enum[" + e + "]",
                            name,
                            ErrorKind.INVALID_DECLARATION,
                            "enum of variable '" + name + "' must not contain null"));
                }
            }
            declared.put(name, compiled);
        }
        return new Variables(Collections.unmodifiableMap(declared), Set.copyOf(builtinNames), List.copyOf(problems));
    }

    /** @return problems with the declarations themselves; empty when all are valid */
    public List<TemplateError> problems() {
        return problems;
    }

    /** @return the declared variable names, in declaration order */
    public Set<String> declaredNames() {
        return declared.keySet();
    }

    /** @return the built-in names this set was compiled with */
    public Set<String> builtinNames() {
        return builtinNames;
    }

    /**
     * @param name a variable name
     * @return true if the name is declared or built in
     */
    public boolean isDefined(String name) {
        return declared.containsKey(name) || builtinNames.contains(name);
    }

    /**
     * Resolves the values for one render.
     *
     * @param instanceValues values chosen by the instance (only declared variables allowed)
     * @param builtinValues values supplied by the caller for built-in variables; entries for names that are not
     *     built in are ignored
     * @param errors receives every problem found (all of them, not only the first)
     * @return the value of every declared variable plus every supplied built-in one
     */
    public Map<String, String> resolve(
            Map<String, String> instanceValues, Map<String, String> builtinValues, List<TemplateError> errors) {
        Map<String, String> values = new HashMap<>((declared.size() + builtinNames.size()) * 2);
        for (Map.Entry<String, String> entry : instanceValues.entrySet()) {
            String name = entry.getKey();
            if (builtinNames.contains(name)) {
                errors.add(new TemplateError(
                        "",
                        name,
                        ErrorKind.BUILTIN_OVERRIDE,
                        "variable '" + name + "' is built in and set by the operator; an instance cannot set it"));
            } else if (!declared.containsKey(name)) {
                errors.add(new TemplateError(
                        "",
                        name,
                        ErrorKind.UNDECLARED_VARIABLE,
                        "variable '" + name + "' is not declared by the template; declared variables are "
                                + declared.keySet()));
            }
        }
        for (Declared d : declared.values()) {
            String name = d.declaration().name();
            String value = instanceValues.get(name);
            if (value != null) {
                for (String reason : violations(d, value)) {
                    errors.add(
                            new TemplateError("", name, kindOf(reason), "value of variable '" + name + "' " + reason));
                }
            } else if (d.declaration().required()) {
                errors.add(new TemplateError(
                        "",
                        name,
                        ErrorKind.MISSING_REQUIRED,
                        "variable '" + name + "' is required: the instance must set it"));
                value = "";
            } else if (d.declaration().defaultValue() != null) {
                value = d.declaration().defaultValue();
            } else {
                value = "";
            }
            values.put(name, value);
        }
        for (String name : builtinNames) {
            String value = builtinValues.get(name);
            if (value != null) {
                values.put(name, value);
            }
        }
        return values;
    }

    // Reasons start with a fixed word so kindOf can classify them without a second pass.
    private static final String PATTERN = "does not match";
    private static final String LENGTH = "is longer";
    private static final String ENUM = "is not one of";

    private static ErrorKind kindOf(String reason) {
        if (reason.startsWith(LENGTH)) {
            return ErrorKind.TOO_LONG;
        }
        return reason.startsWith(ENUM) ? ErrorKind.NOT_IN_ENUM : ErrorKind.PATTERN_MISMATCH;
    }

    private static List<String> violations(Declared d, String value) {
        List<String> reasons = List.of();
        VariableDeclaration decl = d.declaration();
        Integer maxLength = decl.maxLength();
        boolean tooLong = false;
        if (maxLength != null && maxLength >= 0) {
            int length = value.codePointCount(0, value.length());
            if (length > maxLength) {
                tooLong = true;
                reasons = add(reasons, LENGTH + " than maxLength " + maxLength + " (it has " + length + " characters)");
            }
        }
        // A value over maxLength is not also fed to the regex: that bounds the regex's work on hostile input.
        if (d.pattern() != null && !tooLong && !fullyMatches(d.pattern(), value)) {
            reasons = add(
                    reasons,
                    PATTERN + " pattern '" + decl.pattern() + "': '" + KubernetesNames.abbreviate(value) + "'");
        }
        if (!decl.enumValues().isEmpty() && !decl.enumValues().contains(value)) {
            reasons = add(reasons, ENUM + " " + decl.enumValues() + ": '" + KubernetesNames.abbreviate(value) + "'");
        }
        return reasons;
    }

    private static boolean fullyMatches(Pattern pattern, String value) {
        try {
            return pattern.matcher(value).matches();
        } catch (StackOverflowError e) {
            // java.util.regex recurses per repetition; an admin's pattern on a long value must not crash the caller.
            return false;
        }
    }

    private static List<String> add(List<String> list, String item) {
        List<String> copy = new ArrayList<>(list);
        copy.add(item);
        return copy;
    }
}
