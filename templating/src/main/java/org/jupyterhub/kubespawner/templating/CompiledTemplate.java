package org.jupyterhub.kubespawner.templating;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jupyterhub.kubespawner.templating.core.ErrorKind;
import org.jupyterhub.kubespawner.templating.core.TemplateError;
import org.jupyterhub.kubespawner.templating.core.TemplateText;
import org.jupyterhub.kubespawner.templating.core.VariableDeclaration;
import org.jupyterhub.kubespawner.templating.core.Variables;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplateSpec;

/**
 * A {@code JupyterNotebookInstanceTemplate} spec compiled once: variable declarations checked and their regexes
 * compiled, every string of every entry of every {@link ObjectKind} (pods, claims, services, network policies)
 * parsed into a render plan. Immutable and thread-safe; {@link #render} can be called concurrently.
 *
 * <p>{@link #problems()} lists what is wrong with the template itself (placeholders neither declared nor built
 * in, bad declarations, defaults that break their own rules, names that can never be valid, more than one
 * notebook pod); the operator reports them in the template's {@code Valid} condition. A template with problems
 * never renders: {@link #render} returns them as a {@link RenderResult.Failure}.
 */
public final class CompiledTemplate {

    /** The port the hub connects to when the template does not set notebookPort. */
    public static final int DEFAULT_NOTEBOOK_PORT = 8888;

    private final Variables variables;
    private final ImagePolicy imagePolicy;
    private final List<TemplateError> problems;
    private final Set<String> usedBuiltins;
    /** Every entry, in the order of {@link ObjectKind#ALL}, each kind's in template order, then the extra objects. */
    private final List<CompiledEntry> entries;

    private final ExtraObjectRules extras;

    private final TemplateText userIdentity;

    private final ServerUrlRules serverUrl;

    private CompiledTemplate(
            Variables variables,
            ImagePolicy imagePolicy,
            List<TemplateError> problems,
            Set<String> usedBuiltins,
            List<CompiledEntry> entries,
            ExtraObjectRules extras,
            TemplateText userIdentity,
            ServerUrlRules serverUrl) {
        this.extras = extras;
        this.serverUrl = serverUrl;
        this.variables = variables;
        this.imagePolicy = imagePolicy;
        this.problems = problems;
        this.usedBuiltins = usedBuiltins;
        this.entries = entries;
        this.userIdentity = userIdentity;
    }

    /**
     * Compiles a template spec with the standard {@link BuiltinVariables}. Never throws for any spec content.
     *
     * @param spec the template's spec (the object is not kept; later changes to it have no effect)
     * @return the compiled template, possibly with {@link #problems()}
     */
    public static CompiledTemplate compile(JupyterNotebookInstanceTemplateSpec spec) {
        return compile(spec, BuiltinVariables.NAMES);
    }

    /**
     * Compiles a template spec with the standard {@link BuiltinVariables} and an operator's allowlist.
     *
     * @param spec the template's spec
     * @param allowlist the kinds {@code extraObjects} may use and the roles {@code policy.roles} may name
     * @return the compiled template, possibly with {@link #problems()}
     */
    public static CompiledTemplate compile(JupyterNotebookInstanceTemplateSpec spec, KindAllowlist allowlist) {
        return compile(spec, BuiltinVariables.NAMES, allowlist);
    }

    /**
     * Compiles a template spec.
     *
     * @param spec the template's spec
     * @param builtinNames the variables the caller will supply at render time
     * @return the compiled template, possibly with {@link #problems()}
     */
    public static CompiledTemplate compile(JupyterNotebookInstanceTemplateSpec spec, Set<String> builtinNames) {
        return compile(spec, builtinNames, KindAllowlist.NONE);
    }

    /**
     * Compiles a template spec.
     *
     * @param spec the template's spec
     * @param builtinNames the variables the caller will supply at render time
     * @param allowlist the kinds {@code extraObjects} may use and the roles {@code policy.roles} may name
     * @return the compiled template, possibly with {@link #problems()}
     */
    public static CompiledTemplate compile(
            JupyterNotebookInstanceTemplateSpec spec, Set<String> builtinNames, KindAllowlist allowlist) {
        List<TemplateError> problems = new ArrayList<>();
        Variables variables = Variables.compile(declarations(spec), builtinNames, "variables");
        problems.addAll(variables.problems());
        ImagePolicy imagePolicy = ImagePolicy.of(
                spec == null || spec.getPolicy() == null
                        ? null
                        : spec.getPolicy().getAllowedImages());
        if (imagePolicy.patterns().isEmpty()) {
            problems.add(new TemplateError(
                    "policy.allowedImages",
                    null,
                    ErrorKind.INVALID_STRUCTURE,
                    "the policy must allow at least one image pattern (write '**' to allow any image on purpose)"));
        }

        List<CompiledEntry> entries = new ArrayList<>();
        for (ObjectKind<?> kind : ObjectKind.ALL) {
            List<?> items = spec == null ? null : kind.entries().apply(spec);
            List<CompiledEntry> compiled = new ArrayList<>();
            for (int i = 0; items != null && i < items.size(); i++) {
                compiled.add(CompiledEntry.compile(
                        kind, i, items.get(i), imagePolicy.patterns().isEmpty() ? null : imagePolicy, problems));
            }
            if (kind.notebookServer()) {
                NotebookRules.choose(kind, compiled, problems);
            }
            entries.addAll(compiled);
        }
        ExtraObjectRules extras = ExtraObjectRules.compile(
                spec, allowlist, imagePolicy.patterns().isEmpty() ? null : imagePolicy, problems);
        entries.addAll(extras.entries());
        ServerUrlRules serverUrl = ServerUrlRules.compile(spec, problems);

        Set<String> usedBuiltins = new TreeSet<>();
        TemplateText userIdentity = compileUserIdentity(spec, variables, builtinNames, usedBuiltins, problems);
        for (CompiledEntry entry : entries) {
            problems.addAll(entry.head().problems());
            problems.addAll(entry.body().problems());
            Map<String, List<String>> placeholders =
                    new LinkedHashMap<>(entry.head().placeholders());
            entry.body()
                    .placeholders()
                    .forEach((name, paths) -> placeholders.merge(name, paths, (a, b) -> {
                        List<String> all = new ArrayList<>(a);
                        all.addAll(b);
                        return all;
                    }));
            placeholders.forEach((name, paths) -> {
                if (builtinNames.contains(name)) {
                    usedBuiltins.add(name);
                } else if (!variables.isDefined(name)) {
                    for (String path : paths) {
                        problems.add(new TemplateError(
                                path,
                                name,
                                ErrorKind.UNDECLARED_PLACEHOLDER,
                                "placeholder {" + name
                                        + "} is neither declared nor built in; declared variables are "
                                        + variables.declaredNames()
                                        + ", built-in variables are " + new TreeSet<>(builtinNames)
                                        + " (write {{ and }} for literal braces)"));
                    }
                }
            });
        }
        return new CompiledTemplate(
                variables,
                imagePolicy,
                List.copyOf(problems),
                Set.copyOf(usedBuiltins),
                List.copyOf(entries),
                extras,
                userIdentity,
                serverUrl);
    }

    /** policy.userIdentity: a templated string like the objects' (empty when unset). */
    private static TemplateText compileUserIdentity(
            JupyterNotebookInstanceTemplateSpec spec,
            Variables variables,
            Set<String> builtinNames,
            Set<String> usedBuiltins,
            List<TemplateError> problems) {
        String source = spec == null || spec.getPolicy() == null
                ? null
                : spec.getPolicy().getUserIdentity();
        TemplateText text = TemplateText.parse(source == null ? "" : source);
        for (String name : text.variables()) {
            if (builtinNames.contains(name)) {
                usedBuiltins.add(name);
            } else if (!variables.isDefined(name)) {
                problems.add(new TemplateError(
                        "policy.userIdentity",
                        name,
                        ErrorKind.UNDECLARED_PLACEHOLDER,
                        "placeholder {" + name + "} is neither declared nor built in; declared variables are "
                                + variables.declaredNames() + ", built-in variables are "
                                + new TreeSet<>(builtinNames)));
            }
        }
        return text;
    }

    private static List<VariableDeclaration> declarations(JupyterNotebookInstanceTemplateSpec spec) {
        List<VariableDeclaration> declarations = new ArrayList<>();
        if (spec == null || spec.getVariables() == null) {
            return declarations;
        }
        for (var v : spec.getVariables()) {
            declarations.add(
                    v == null
                            ? new VariableDeclaration(null, null, null, false, null, null, null)
                            : new VariableDeclaration(
                                    v.getName(),
                                    v.getDescription(),
                                    v.getDefaultValue(),
                                    Boolean.TRUE.equals(v.getRequired()),
                                    v.getPattern(),
                                    v.getMaxLength(),
                                    v.getEnumValues()));
        }
        return declarations;
    }

    /** @return problems with the template itself; empty when it is valid */
    public List<TemplateError> problems() {
        return problems;
    }

    /** @return true when {@link #problems()} is empty */
    public boolean isValid() {
        return problems.isEmpty();
    }

    /** @return the declared variable names, in declaration order */
    public Set<String> declaredVariables() {
        return variables.declaredNames();
    }

    /**
     * The identity of the user an instance's server belongs to: the template's {@code policy.userIdentity} rendered
     * with the instance's values (defaults applied), or the empty string when the policy sets none. Call it for
     * values that {@link #render} accepted; values it would reject give the empty string.
     *
     * @param instanceValues the instance's variable values; null means none
     * @param builtinValues the caller's values for built-in variables; null means none
     * @return the rendered identity, never null
     */
    public String userIdentity(Map<String, String> instanceValues, Map<String, String> builtinValues) {
        if (!problems.isEmpty()) {
            return "";
        }
        if (userIdentity.variables().isEmpty()) {
            return userIdentity.render(Map.of());
        }
        List<TemplateError> errors = new ArrayList<>();
        Map<String, String> values = variables.resolve(
                instanceValues == null ? Map.of() : instanceValues,
                builtinValues == null ? Map.of() : builtinValues,
                errors);
        return errors.isEmpty() ? userIdentity.render(values) : "";
    }

    /**
     * The object an instance's server is reached through ({@code spec.serverUrlFrom}), its name rendered with the
     * instance's values (defaults applied). Call it for values that {@link #render} accepted.
     *
     * @param instanceValues the instance's variable values; null means none
     * @param builtinValues the caller's values for built-in variables; null means none
     * @return the object, or null when the template declares none, has problems, or the values are rejected
     */
    public ServerUrlTarget serverUrlTarget(Map<String, String> instanceValues, Map<String, String> builtinValues) {
        if (!problems.isEmpty()) {
            return null;
        }
        List<TemplateError> errors = new ArrayList<>();
        Map<String, String> values = variables.resolve(
                instanceValues == null ? Map.of() : instanceValues,
                builtinValues == null ? Map.of() : builtinValues,
                errors);
        return errors.isEmpty() ? serverUrl.target(values) : null;
    }

    /** @return the built-in variables the template uses; the caller must supply them to {@link #render} */
    public Set<String> usedBuiltins() {
        return usedBuiltins;
    }

    /**
     * Renders the template for one instance. Never throws for any values.
     *
     * @param instanceValues the instance's variable values (only declared variables allowed); null means none
     * @param builtinValues the caller's values for built-in variables (see {@link BuiltinVariables#of}); null means
     *     none
     * @return the objects, or every problem found
     */
    public RenderResult render(Map<String, String> instanceValues, Map<String, String> builtinValues) {
        instanceValues = instanceValues == null ? Map.of() : instanceValues;
        builtinValues = builtinValues == null ? Map.of() : builtinValues;
        if (!problems.isEmpty()) {
            return new RenderResult.Failure(problems);
        }
        List<TemplateError> errors = new ArrayList<>();
        for (String name : usedBuiltins) {
            if (builtinValues.get(name) == null) {
                errors.add(new TemplateError(
                        "",
                        name,
                        ErrorKind.MISSING_BUILTIN,
                        "built-in variable '" + name + "' is used by the template but was not supplied by the caller"));
            }
        }
        Map<String, String> values = variables.resolve(instanceValues, builtinValues, errors);
        if (!errors.isEmpty()) {
            // Rendering with rejected values would only add follow-up errors about the same values.
            return new RenderResult.Failure(errors);
        }
        List<RenderedObject> rendered = new ArrayList<>(entries.size());
        List<HasMetadata> objects = new ArrayList<>(entries.size());
        List<String> names = new ArrayList<>(entries.size());
        NotebookServer notebook = null;
        for (CompiledEntry entry : entries) {
            JsonNode head = entry.head().render(values, errors);
            HasMetadata object = entry.render(head, values, errors);
            PodSpec podSpec = entry.podSpec(object);
            if (entry.notebook()) {
                String container = NotebookRules.container(head, podSpec, entry.path(), errors);
                notebook = object == null ? null : new NotebookServer((Pod) object, container, entry.port());
            }
            if (podSpec != null) {
                imagePolicy.checkImages(
                        podSpec, entry.path() + "." + entry.kind().podSpec().path(), errors);
            }
            rendered.add(
                    new RenderedObject(entry.kind(), object, entry.weight(), entry.retention(), entry.readiness()));
            objects.add(object);
            names.add(head.path("name").asText(null));
        }
        extras.apply(entries, objects, builtinValues.get(BuiltinVariables.NAMESPACE), errors);
        checkUnique(names, errors);
        if (!errors.isEmpty()) {
            return new RenderResult.Failure(errors);
        }
        // List.sort is stable: within a group and weight, table order and then template order are kept.
        rendered.sort(Comparator.comparingInt((RenderedObject o) -> o.kind().creationGroup())
                .thenComparingInt(RenderedObject::weight));
        return new RenderResult.Success(new RenderedObjects(rendered, notebook));
    }

    /** Names must be unique per kind; {@code names} is parallel to {@link #entries}. */
    private void checkUnique(List<String> names, List<TemplateError> errors) {
        Map<String, Set<String>> seen = new HashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            CompiledEntry entry = entries.get(i);
            String name = names.get(i);
            String kind = entry.kind().apiVersion() + " " + entry.kind().kind();
            if (name != null
                    && !seen.computeIfAbsent(kind, k -> new HashSet<>()).add(name)) {
                errors.add(new TemplateError(
                        entry.path() + ".name",
                        null,
                        ErrorKind.INVALID_STRUCTURE,
                        "name '" + name + "' is used by another object of the same kind in this template"));
            }
        }
    }
}
