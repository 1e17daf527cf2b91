package org.jupyterhub.kubespawner.templating;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jupyterhub.kubespawner.templating.ObjectKind.PodSpecAt;
import org.jupyterhub.kubespawner.templating.core.FieldRule;
import org.jupyterhub.kubespawner.templating.core.FieldRule.Check;

/**
 * The rows of the {@link ObjectKind} table a template may use in {@code extraObjects} once the operator's
 * allowlist ({@link KindAllowlist}) names their apiVersion and kind: the built-in ones below, and any custom
 * resource ({@link #custom}). Creation groups put what a pod reads (ConfigMaps, Secrets, ServiceAccounts) with the
 * claims, RoleBindings with the network policies, and the rest with the services, all before the pods.
 */
public final class AllowlistedKinds {

    private AllowlistedKinds() {}

    private static final String FIELD = "extraObjects";

    /** ConfigMaps: data the pods mount or read. */
    public static final ObjectKind<ConfigMap> CONFIG_MAP =
            typed("v1", "ConfigMap", ConfigMap.class, List.of("data", "binaryData", "immutable"), List.of(), 0, true);

    /**
     * Secrets, rendered from the template's text: an instance's values reach one only through variables the
     * template declares and uses in it.
     */
    public static final ObjectKind<Secret> SECRET =
            typed("v1", "Secret", Secret.class, List.of("data", "stringData", "type", "immutable"), List.of(), 0, true);

    /** ServiceAccounts; never retained (permissions go with the server). */
    public static final ObjectKind<ServiceAccount> SERVICE_ACCOUNT = typed(
            "v1",
            "ServiceAccount",
            ServiceAccount.class,
            List.of("automountServiceAccountToken", "imagePullSecrets", "secrets"),
            List.of(),
            0,
            false);

    /** RoleBindings to roles the template's policy.roles lists, of ServiceAccounts the template creates. */
    public static final ObjectKind<RoleBinding> ROLE_BINDING = typed(
            "rbac.authorization.k8s.io/v1",
            "RoleBinding",
            RoleBinding.class,
            List.of("roleRef", "subjects"),
            List.of("roleRef"),
            1,
            false);

    /** Ingresses. */
    public static final ObjectKind<Ingress> INGRESS =
            typed("networking.k8s.io/v1", "Ingress", Ingress.class, List.of("spec"), List.of("spec"), 2, true);

    /** PodDisruptionBudgets. */
    public static final ObjectKind<PodDisruptionBudget> POD_DISRUPTION_BUDGET = new ObjectKind<>(
            FIELD,
            "policy/v1",
            "PodDisruptionBudget",
            PodDisruptionBudget.class,
            Check.DNS1123_SUBDOMAIN,
            List.of("spec"),
            List.of("spec"),
            List.of(
                    new FieldRule("spec.selector.matchLabels", Check.LABELS),
                    new FieldRule("spec.minAvailable", Check.INT_OR_STRING),
                    new FieldRule("spec.maxUnavailable", Check.INT_OR_STRING)),
            2,
            true,
            null,
            false,
            spec -> List.of(),
            true);

    /** Gateway API HTTPRoutes (no fabric8 type in the core model: rendered as a generic resource). */
    public static final ObjectKind<GenericKubernetesResource> HTTP_ROUTE = new ObjectKind<>(
            FIELD,
            "gateway.networking.k8s.io/v1",
            "HTTPRoute",
            GenericKubernetesResource.class,
            Check.DNS1123_SUBDOMAIN,
            List.of("spec"),
            List.of("spec"),
            List.of(),
            2,
            true,
            null,
            false,
            spec -> List.of(),
            true);

    /** Every built-in allowlistable kind. */
    public static final List<ObjectKind<?>> BUILT_IN =
            List.of(CONFIG_MAP, SECRET, SERVICE_ACCOUNT, ROLE_BINDING, INGRESS, HTTP_ROUTE, POD_DISRUPTION_BUDGET);

    /**
     * The row of an allowlisted apiVersion and kind: the built-in one, else a custom resource.
     *
     * @param apiVersion e.g. {@code v1}, {@code example.org/v1}
     * @param kind e.g. {@code ConfigMap}
     * @param podSpecPath for a custom resource, the dotted path of a pod spec inside it whose images the template's
     *     image policy must allow (e.g. {@code spec.template.spec}); null or empty for none
     * @return the row
     */
    public static ObjectKind<?> of(String apiVersion, String kind, String podSpecPath) {
        for (ObjectKind<?> row : BUILT_IN) {
            if (row.apiVersion().equals(apiVersion) && row.kind().equals(kind)) {
                return row;
            }
        }
        return custom(apiVersion, kind, podSpecPath);
    }

    /**
     * A custom resource's row: every field of an entry besides its head is the object's (e.g. {@code spec}); the
     * API server validates the schema (a dry run before anything is created).
     *
     * @param apiVersion its apiVersion, {@code group/version}
     * @param kind its kind
     * @param podSpecPath see {@link #of}
     * @return the row
     */
    public static ObjectKind<GenericKubernetesResource> custom(String apiVersion, String kind, String podSpecPath) {
        PodSpecAt<GenericKubernetesResource> podSpec = podSpecPath == null || podSpecPath.isBlank()
                ? null
                : new PodSpecAt<>(podSpecPath, r -> podSpecAt(r.getAdditionalProperties(), podSpecPath));
        return new ObjectKind<>(
                FIELD,
                apiVersion,
                kind,
                GenericKubernetesResource.class,
                Check.DNS1123_SUBDOMAIN,
                List.of(),
                List.of(),
                List.of(),
                2,
                true,
                podSpec,
                false,
                spec -> List.of(),
                true);
    }

    private static <T extends io.fabric8.kubernetes.api.model.HasMetadata> ObjectKind<T> typed(
            String apiVersion,
            String kind,
            Class<T> type,
            List<String> body,
            List<String> requiredBody,
            int creationGroup,
            boolean retainable) {
        return new ObjectKind<>(
                FIELD,
                apiVersion,
                kind,
                type,
                Check.DNS1123_SUBDOMAIN,
                body,
                requiredBody,
                List.of(),
                creationGroup,
                retainable,
                null,
                false,
                spec -> List.of(),
                true);
    }

    /**
     * The containers of the pod spec at a path of a custom resource, for the image policy: only names and images
     * are read, so no other field can make the check fail open. An absent path is an empty pod spec.
     */
    static PodSpec podSpecAt(Map<String, Object> fields, String path) {
        Object node = fields;
        for (String step : path.split("\\.")) {
            node = node instanceof Map<?, ?> map ? map.get(step) : null;
        }
        PodSpec spec = new PodSpec();
        if (!(node instanceof Map<?, ?> map)) {
            return spec;
        }
        spec.setContainers(containers(map.get("containers")).stream()
                .map(AllowlistedKinds::container)
                .toList());
        spec.setInitContainers(containers(map.get("initContainers")).stream()
                .map(AllowlistedKinds::container)
                .toList());
        spec.setEphemeralContainers(containers(map.get("ephemeralContainers")).stream()
                .map(c -> {
                    EphemeralContainer container = new EphemeralContainer();
                    container.setName(c[0]);
                    container.setImage(c[1]);
                    return container;
                })
                .toList());
        return spec;
    }

    private static Container container(String[] nameAndImage) {
        Container container = new Container();
        container.setName(nameAndImage[0]);
        container.setImage(nameAndImage[1]);
        return container;
    }

    /** Name and image of each container in a list; a missing or non-text image is null (the policy refuses it). */
    private static List<String[]> containers(Object list) {
        List<String[]> found = new ArrayList<>();
        if (list instanceof List<?> items) {
            for (Object item : items) {
                Map<?, ?> c = item instanceof Map<?, ?> m ? m : Map.of();
                found.add(new String[] {
                    c.get("name") instanceof String n ? n : null, c.get("image") instanceof String i ? i : null
                });
            }
        }
        return found;
    }
}
