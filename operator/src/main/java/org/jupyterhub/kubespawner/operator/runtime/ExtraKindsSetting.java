package org.jupyterhub.kubespawner.operator.runtime;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jupyterhub.kubespawner.templating.AllowlistedKinds;
import org.jupyterhub.kubespawner.templating.KindAllowlist;
import org.jupyterhub.kubespawner.templating.ObjectKind;
import org.jupyterhub.kubespawner.templating.core.KubernetesNames;

/** The types of the allowlist settings: {@code extra-kinds} and {@code bindable-roles}. */
final class ExtraKindsSetting {

    private ExtraKindsSetting() {}

    /** {@code apiVersion/Kind[=podSpecPath]}, comma-separated. */
    static Setting.Type<List<ObjectKind<?>>> kinds() {
        return (flag, text) -> {
            List<ObjectKind<?>> kinds = new ArrayList<>();
            Set<String> seen = new LinkedHashSet<>();
            for (String item : text.split(",")) {
                if (item.isBlank()) {
                    continue;
                }
                String entry = item.trim();
                String path = null;
                int eq = entry.indexOf('=');
                if (eq >= 0) {
                    path = entry.substring(eq + 1).trim();
                    entry = entry.substring(0, eq).trim();
                }
                int slash = entry.lastIndexOf('/');
                String apiVersion = slash > 0 ? entry.substring(0, slash) : "";
                String kind = slash > 0 ? entry.substring(slash + 1) : "";
                if (apiVersion.isEmpty() || !kind.matches("[A-Z][A-Za-z0-9]*") || apiVersion.split("/").length > 2) {
                    throw new IllegalArgumentException(flag + " entries look like v1/ConfigMap or"
                            + " example.org/v1/Widget=spec.template.spec, got '" + item.trim() + "'");
                }
                if (path != null && !path.matches("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*")) {
                    throw new IllegalArgumentException(flag + ": the pod spec path of " + entry
                            + " must be dotted field names, got '" + path + "'");
                }
                ObjectKind<?> row = AllowlistedKinds.of(apiVersion, kind, path);
                if (path != null && row.type() != GenericKubernetesResource.class) {
                    throw new IllegalArgumentException(
                            flag + ": " + entry + " is built in; only custom resources take" + " a pod spec path");
                }
                if (!apiVersion.contains("/") && row.type() == GenericKubernetesResource.class) {
                    throw new IllegalArgumentException(flag + ": " + entry + " is not a kind the operator knows in the"
                            + " core group; built in: "
                            + AllowlistedKinds.BUILT_IN.stream()
                                    .map(k -> k.apiVersion() + "/" + k.kind())
                                    .toList());
                }
                if (!seen.add(apiVersion + "/" + kind)) {
                    throw new IllegalArgumentException(flag + " names " + apiVersion + "/" + kind + " twice");
                }
                kinds.add(row);
            }
            return List.copyOf(kinds);
        };
    }

    /** {@code Role/name} or {@code ClusterRole/name}, comma-separated. */
    static Setting.Type<Set<KindAllowlist.Role>> roles() {
        return (flag, text) -> {
            Set<KindAllowlist.Role> roles = new LinkedHashSet<>();
            for (String item : text.split(",")) {
                if (item.isBlank()) {
                    continue;
                }
                KindAllowlist.Role role;
                try {
                    role = KindAllowlist.Role.parse(item.trim());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(flag + ": " + e.getMessage());
                }
                String problem = KubernetesNames.checkDns1123Subdomain(role.name());
                if (problem != null) {
                    throw new IllegalArgumentException(flag + ": role name '" + role.name() + "': " + problem);
                }
                roles.add(role);
            }
            return Set.copyOf(roles);
        };
    }
}
