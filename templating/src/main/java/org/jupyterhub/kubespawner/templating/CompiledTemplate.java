package org.jupyterhub.kubespawner.templating;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimSpec;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicySpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import org.jupyterhub.kubespawner.templating.core.ErrorKind;
import org.jupyterhub.kubespawner.templating.core.JsonPaths;
import org.jupyterhub.kubespawner.templating.core.JsonTemplate;
import org.jupyterhub.kubespawner.templating.core.TemplateError;
import org.jupyterhub.kubespawner.templating.core.TemplateText;
import org.jupyterhub.kubespawner.templating.core.VariableDeclaration;
import org.jupyterhub.kubespawner.templating.core.Variables;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplateSpec;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancetemplatespec.NetworkPolicies;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancetemplatespec.PersistentVolumeClaims;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancetemplatespec.Pods;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancetemplatespec.Services;

/**
 * A {@code JupyterNotebookInstanceTemplate} spec compiled once: variable declarations checked and their regexes
 * compiled, every string of every pod, claim, service and network policy parsed into a render plan. Immutable and
 * thread-safe; {@link #render} can be called concurrently.
 *
 * <p>{@link #problems()} lists what is wrong with the template itself (placeholders neither declared nor built
 * in, bad declarations, defaults that break their own rules, names that can never be valid, more than one
 * notebook pod); the operator reports them in the template's {@code Valid} condition. A template with problems
 * never renders: {@link #render} returns them as a {@link RenderResult.Failure}.
 */
public final class CompiledTemplate {

    /** The port the hub connects to when the template does not set notebookPort. */
    public static final int DEFAULT_NOTEBOOK_PORT = 8888;

    // Only used for tree <-> POJO conversion, which is thread-safe once configured.
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Variables variables;
    private final ImagePolicy imagePolicy;
    private final List<TemplateError> problems;
    private final Set<String> usedBuiltins;
    private final List<Entry> pods;
    private final List<Entry> claims;
    private final List<Entry> services;
    private final List<Entry> networkPolicies;
    private final TemplateText userIdentity;

    /** One compiled object of the template, with the settings that are not templated. */
    private record Entry(
            String path,
            JsonTemplate head,
            JsonTemplate spec,
            int weight,
            boolean notebook,
            int port,
            ClaimRetention retention) {}

    private CompiledTemplate(
            Variables variables,
            ImagePolicy imagePolicy,
            List<TemplateError> problems,
            Set<String> usedBuiltins,
            List<Entry> pods,
            List<Entry> claims,
            List<Entry> services,
            List<Entry> networkPolicies,
            TemplateText userIdentity) {
        this.userIdentity = userIdentity;
        this.variables = variables;
        this.imagePolicy = imagePolicy;
        this.problems = problems;
        this.usedBuiltins = usedBuiltins;
        this.pods = pods;
        this.claims = claims;
        this.services = services;
        this.networkPolicies = networkPolicies;
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
     * Compiles a template spec.
     *
     * @param spec the template's spec
     * @param builtinNames the variables the caller will supply at render time
     * @return the compiled template, possibly with {@link #problems()}
     */
    public static CompiledTemplate compile(JupyterNotebookInstanceTemplateSpec spec, Set<String> builtinNames) {
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

        List<Pods> podSpecs = spec == null ? List.of() : orEmpty(spec.getPods());
        int notebookPod = notebookPodIndex(podSpecs, problems);
        List<Entry> pods = new ArrayList<>();
        for (int i = 0; i < podSpecs.size(); i++) {
            Pods pod = podSpecs.get(i);
            int port = pod == null || pod.getNotebookPort() == null ? DEFAULT_NOTEBOOK_PORT : pod.getNotebookPort();
            pods.add(entry(
                    "pods",
                    i,
                    pod,
                    KindRules.POD,
                    problems,
                    pod == null ? null : pod.getWeight(),
                    i == notebookPod,
                    port,
                    null,
                    imagePolicy));
        }
        List<Entry> claims = new ArrayList<>();
        List<PersistentVolumeClaims> claimSpecs = spec == null ? List.of() : orEmpty(spec.getPersistentVolumeClaims());
        for (int i = 0; i < claimSpecs.size(); i++) {
            PersistentVolumeClaims claim = claimSpecs.get(i);
            boolean delete = claim != null && claim.getWhenDeleted() == PersistentVolumeClaims.WhenDeleted.DELETE;
            claims.add(entry(
                    "persistentVolumeClaims",
                    i,
                    claim,
                    KindRules.CLAIM,
                    problems,
                    claim == null ? null : claim.getWeight(),
                    false,
                    0,
                    delete ? ClaimRetention.DELETE : ClaimRetention.RETAIN));
        }
        List<Entry> services = new ArrayList<>();
        List<Services> serviceSpecs = spec == null ? List.of() : orEmpty(spec.getServices());
        for (int i = 0; i < serviceSpecs.size(); i++) {
            Services service = serviceSpecs.get(i);
            services.add(entry(
                    "services",
                    i,
                    service,
                    KindRules.SERVICE,
                    problems,
                    service == null ? null : service.getWeight(),
                    false,
                    0,
                    null));
        }
        List<Entry> networkPolicies = new ArrayList<>();
        List<NetworkPolicies> policySpecs = spec == null ? List.of() : orEmpty(spec.getNetworkPolicies());
        for (int i = 0; i < policySpecs.size(); i++) {
            NetworkPolicies policy = policySpecs.get(i);
            networkPolicies.add(entry(
                    "networkPolicies",
                    i,
                    policy,
                    KindRules.NETWORK_POLICY,
                    problems,
                    policy == null ? null : policy.getWeight(),
                    false,
                    0,
                    null));
        }

        Set<String> usedBuiltins = new TreeSet<>();
        TemplateText userIdentity = compileUserIdentity(spec, variables, builtinNames, usedBuiltins, problems);
        for (List<Entry> kind : List.of(claims, services, networkPolicies, pods)) {
            for (Entry entry : kind) {
                problems.addAll(entry.head().problems());
                problems.addAll(entry.spec().problems());
                Map<String, List<String>> placeholders =
                        new LinkedHashMap<>(entry.head().placeholders());
                entry.spec()
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
        }
        return new CompiledTemplate(
                variables,
                imagePolicy,
                List.copyOf(problems),
                Set.copyOf(usedBuiltins),
                List.copyOf(pods),
                List.copyOf(claims),
                List.copyOf(services),
                List.copyOf(networkPolicies),
                userIdentity);
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

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    /** The pod marked notebook (else the first); more than one marked, or no pod at all, is a problem. */
    private static int notebookPodIndex(List<Pods> pods, List<TemplateError> problems) {
        if (pods.isEmpty()) {
            problems.add(new TemplateError(
                    "pods", null, ErrorKind.INVALID_STRUCTURE, "the template must define at least one pod"));
        }
        int index = 0;
        int marked = 0;
        for (int i = 0; i < pods.size(); i++) {
            if (pods.get(i) != null && Boolean.TRUE.equals(pods.get(i).getNotebook()) && marked++ == 0) {
                index = i;
            }
        }
        if (marked > 1) {
            problems.add(new TemplateError(
                    "pods",
                    null,
                    ErrorKind.INVALID_STRUCTURE,
                    "at most one pod may be marked notebook: true, but " + marked + " are"));
        }
        return index;
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

    private static Entry entry(
            String list,
            int index,
            Object object,
            KindRules rules,
            List<TemplateError> problems,
            Integer weight,
            boolean notebook,
            int port,
            ClaimRetention retention) {
        return entry(list, index, object, rules, problems, weight, notebook, port, retention, null);
    }

    /** @param imagePolicy for pods: constant images are checked against it now; null for other kinds */
    private static Entry entry(
            String list,
            int index,
            Object object,
            KindRules rules,
            List<TemplateError> problems,
            Integer weight,
            boolean notebook,
            int port,
            ClaimRetention retention,
            ImagePolicy imagePolicy) {
        String path = JsonPaths.index(list, index);
        ObjectNode tree;
        try {
            tree = object == null ? MAPPER.createObjectNode() : MAPPER.valueToTree(object);
        } catch (IllegalArgumentException e) {
            problems.add(new TemplateError(
                    path, null, ErrorKind.INVALID_OBJECT, "cannot read the object: " + e.getMessage()));
            tree = MAPPER.createObjectNode();
        }
        if (!tree.path("name").isTextual()) {
            problems.add(new TemplateError(
                    JsonPaths.field(path, "name"), null, ErrorKind.INVALID_STRUCTURE, "name is required"));
        }
        // The spec is compiled on its own so that it can be rendered straight into its fabric8 type (no tree).
        JsonNode spec = tree.remove("spec");
        if (spec == null || !spec.isObject()) {
            problems.add(new TemplateError(
                    JsonPaths.field(path, "spec"), null, ErrorKind.INVALID_STRUCTURE, "spec is required"));
            spec = MAPPER.createObjectNode();
        }
        if (imagePolicy != null && !imagePolicy.patterns().isEmpty()) {
            checkConstantImages(spec, JsonPaths.field(path, "spec"), imagePolicy, problems);
        }
        return new Entry(
                path,
                JsonTemplate.compile(tree, path, rules.head()),
                JsonTemplate.compile(spec, JsonPaths.field(path, "spec"), rules.spec()),
                weight == null ? 0 : weight,
                notebook,
                port,
                retention);
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
        List<RenderedClaim> renderedClaims = new ArrayList<>(claims.size());
        for (Entry entry : claims) {
            JsonNode head = entry.head().render(values, errors);
            PersistentVolumeClaimSpec spec = renderSpec(entry, PersistentVolumeClaimSpec.class, values, errors);
            renderedClaims.add(new RenderedClaim(
                    new PersistentVolumeClaim("v1", "PersistentVolumeClaim", metadata(head), spec, null),
                    entry.weight(),
                    entry.retention()));
        }
        List<RenderedService> renderedServices = new ArrayList<>(services.size());
        for (Entry entry : services) {
            JsonNode head = entry.head().render(values, errors);
            ServiceSpec spec = renderSpec(entry, ServiceSpec.class, values, errors);
            renderedServices.add(
                    new RenderedService(new Service("v1", "Service", metadata(head), spec, null), entry.weight()));
        }
        List<RenderedNetworkPolicy> renderedPolicies = new ArrayList<>(networkPolicies.size());
        for (Entry entry : networkPolicies) {
            JsonNode head = entry.head().render(values, errors);
            NetworkPolicySpec spec = renderSpec(entry, NetworkPolicySpec.class, values, errors);
            renderedPolicies.add(new RenderedNetworkPolicy(
                    new NetworkPolicy("networking.k8s.io/v1", "NetworkPolicy", metadata(head), spec), entry.weight()));
        }
        List<RenderedPod> renderedPods = new ArrayList<>(pods.size());
        for (Entry entry : pods) {
            JsonNode head = entry.head().render(values, errors);
            PodSpec spec = renderSpec(entry, PodSpec.class, values, errors);
            String container = entry.notebook() ? notebookContainer(head, spec, entry.path(), errors) : null;
            checkImages(spec, entry.path(), errors);
            renderedPods.add(new RenderedPod(
                    new Pod("v1", "Pod", metadata(head), spec, null),
                    entry.weight(),
                    entry.notebook(),
                    container,
                    entry.notebook() ? entry.port() : 0));
        }
        checkUnique(
                "persistentVolumeClaims",
                renderedClaims,
                c -> c.claim().getMetadata().getName(),
                errors);
        checkUnique("services", renderedServices, s -> s.service().getMetadata().getName(), errors);
        checkUnique(
                "networkPolicies",
                renderedPolicies,
                p -> p.networkPolicy().getMetadata().getName(),
                errors);
        checkUnique("pods", renderedPods, p -> p.pod().getMetadata().getName(), errors);
        if (!errors.isEmpty()) {
            return new RenderResult.Failure(errors);
        }
        return new RenderResult.Success(new RenderedObjects(
                byWeight(renderedClaims, RenderedClaim::weight),
                byWeight(renderedServices, RenderedService::weight),
                byWeight(renderedPolicies, RenderedNetworkPolicy::weight),
                byWeight(renderedPods, RenderedPod::weight)));
    }

    private static ObjectMeta metadata(JsonNode tree) {
        ObjectMeta meta = new ObjectMeta();
        meta.setName(tree.path("name").asText(null));
        meta.setLabels(stringMap(tree.get("labels")));
        meta.setAnnotations(stringMap(tree.get("annotations")));
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

    /** Images without placeholders can be judged once, so an admin sees the problem in the template's status. */
    private static void checkConstantImages(
            JsonNode podSpec, String specPath, ImagePolicy policy, List<TemplateError> problems) {
        for (String list : CONTAINER_LISTS) {
            JsonNode containers = podSpec.path(list);
            for (int i = 0; i < containers.size(); i++) {
                JsonNode image = containers.get(i).path("image");
                TemplateText text = image.isTextual() ? TemplateText.parse(image.textValue()) : null;
                if (text != null && text.isConstant() && !policy.allows(text.render(Map.of()))) {
                    problems.add(new TemplateError(
                            JsonPaths.field(JsonPaths.index(JsonPaths.field(specPath, list), i), "image"),
                            null,
                            ErrorKind.IMAGE_NOT_ALLOWED,
                            policy.denial(text.render(Map.of()))));
                }
            }
        }
    }

    private static final List<String> CONTAINER_LISTS = List.of("containers", "initContainers", "ephemeralContainers");

    private void checkImages(PodSpec spec, String path, List<TemplateError> errors) {
        if (spec == null) {
            return;
        }
        checkImages(spec.getContainers(), JsonPaths.field(path, "spec") + ".containers", errors);
        checkImages(spec.getInitContainers(), JsonPaths.field(path, "spec") + ".initContainers", errors);
        if (spec.getEphemeralContainers() != null) {
            for (int i = 0; i < spec.getEphemeralContainers().size(); i++) {
                String image = spec.getEphemeralContainers().get(i).getImage();
                if (!imagePolicy.allows(image)) {
                    errors.add(new TemplateError(
                            JsonPaths.field(path, "spec") + ".ephemeralContainers[" + i + "].image",
                            null,
                            ErrorKind.IMAGE_NOT_ALLOWED,
                            imagePolicy.denial(image)));
                }
            }
        }
    }

    private void checkImages(List<Container> containers, String listPath, List<TemplateError> errors) {
        if (containers == null) {
            return;
        }
        for (int i = 0; i < containers.size(); i++) {
            String image = containers.get(i).getImage();
            if (!imagePolicy.allows(image)) {
                errors.add(new TemplateError(
                        listPath + "[" + i + "].image", null, ErrorKind.IMAGE_NOT_ALLOWED, imagePolicy.denial(image)));
            }
        }
    }

    private static <T> T renderSpec(
            Entry entry, Class<T> type, Map<String, String> values, List<TemplateError> errors) {
        TokenBuffer buffer = new TokenBuffer(MAPPER, false);
        try {
            entry.spec().write(buffer, values, errors);
            try (JsonParser parser = buffer.asParser()) {
                return MAPPER.readValue(parser, type);
            }
        } catch (IOException | RuntimeException e) {
            // Only a rendered value can get here (the spec was typed when compiled), e.g. text in a numeric field.
            errors.add(new TemplateError(
                    JsonPaths.field(entry.path(), "spec"),
                    null,
                    ErrorKind.INVALID_OBJECT,
                    "the rendered spec is not a valid " + type.getSimpleName() + ": " + e.getMessage()));
            return null;
        }
    }

    private static String notebookContainer(JsonNode head, PodSpec spec, String path, List<TemplateError> errors) {
        JsonNode chosen = head.get("notebookContainer");
        if (spec == null) {
            return chosen == null ? null : chosen.asText(); // the spec did not convert: that error says it all
        }
        List<String> names = new ArrayList<>();
        if (spec.getContainers() != null) {
            spec.getContainers().forEach(c -> names.add(c.getName()));
        }
        if (chosen == null || chosen.isNull()) {
            if (names.isEmpty()) {
                errors.add(new TemplateError(
                        JsonPaths.field(path, "spec") + ".containers",
                        null,
                        ErrorKind.INVALID_STRUCTURE,
                        "the notebook pod has no containers"));
                return null;
            }
            return names.get(0);
        }
        String name = chosen.asText();
        if (!names.contains(name)) {
            errors.add(new TemplateError(
                    JsonPaths.field(path, "notebookContainer"),
                    null,
                    ErrorKind.INVALID_STRUCTURE,
                    "notebookContainer '" + name + "' is not a container of the pod; its containers are " + names));
        }
        return name;
    }

    private static <T> void checkUnique(
            String list, List<T> rendered, Function<T, String> name, List<TemplateError> errors) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < rendered.size(); i++) {
            String n = name.apply(rendered.get(i));
            if (n != null && !seen.add(n)) {
                errors.add(new TemplateError(
                        JsonPaths.index(list, i) + ".name",
                        null,
                        ErrorKind.INVALID_STRUCTURE,
                        "name '" + n + "' is used by another object of the same kind in this template"));
            }
        }
    }

    private static <T> List<T> byWeight(List<T> items, ToIntFunction<T> weight) {
        List<T> sorted = new ArrayList<>(items);
        sorted.sort(Comparator.comparingInt(weight)); // List.sort is stable: ties keep template order
        return sorted;
    }
}
