package org.jupyterhub.kubespawner.templating;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What an admin lets templates make beyond pods, claims, services and network policies (the operator's settings, from
 * the Helm chart, which grants the operator's RBAC from the same lists): the kinds {@code extraObjects} may use, and
 * the roles a template's {@code policy.roles} may bind. A template using anything else is invalid.
 *
 * @param kinds the allowlisted rows ({@link AllowlistedKinds#of}); one per apiVersion and kind
 * @param bindableRoles the roles the operator may bind
 */
public record KindAllowlist(List<ObjectKind<?>> kinds, Set<Role> bindableRoles) {

    /** Nothing beyond the four kinds of the table: what an operator without allowlist settings accepts. */
    public static final KindAllowlist NONE = new KindAllowlist(List.of(), Set.of());

    /**
     * A role or cluster role, by name.
     *
     * @param kind {@code Role} or {@code ClusterRole}
     * @param name its name
     */
    public record Role(String kind, String name) {

        /**
         * Checks the kind.
         *
         * @param kind see {@link #kind()}
         * @param name see {@link #name()}
         */
        public Role {
            if (!"Role".equals(kind) && !"ClusterRole".equals(kind)) {
                throw new IllegalArgumentException("a role's kind is Role or ClusterRole, got '" + kind + "'");
            }
            Objects.requireNonNull(name, "name");
        }

        /**
         * Reads {@code ClusterRole/view} or {@code Role/reader}.
         *
         * @param text the role as text
         * @return the role
         * @throws IllegalArgumentException when it is not {@code Role/name} or {@code ClusterRole/name}
         */
        public static Role parse(String text) {
            int slash = text.indexOf('/');
            if (slash <= 0 || slash == text.length() - 1) {
                throw new IllegalArgumentException(
                        "a role is written Role/<name> or ClusterRole/<name>, got '" + text + "'");
            }
            return new Role(
                    text.substring(0, slash).trim(), text.substring(slash + 1).trim());
        }

        @Override
        public String toString() {
            return kind + "/" + name;
        }
    }

    /**
     * Copies the lists.
     *
     * @param kinds see {@link #kinds()}
     * @param bindableRoles see {@link #bindableRoles()}
     */
    public KindAllowlist {
        kinds = List.copyOf(kinds);
        bindableRoles = Set.copyOf(bindableRoles);
        Set<String> seen = new LinkedHashSet<>();
        for (ObjectKind<?> kind : kinds) {
            if (!kind.allowlisted() || !seen.add(kind.apiVersion() + " " + kind.kind())) {
                throw new IllegalArgumentException(
                        kind.apiVersion() + " " + kind.kind() + ": allowlisted once, and only extraObjects kinds");
            }
        }
    }

    /**
     * The row of an allowlisted kind.
     *
     * @param apiVersion the entry's apiVersion
     * @param kind the entry's kind
     * @return the row, or null when the kind is not allowlisted
     */
    public ObjectKind<?> find(String apiVersion, String kind) {
        for (ObjectKind<?> row : kinds) {
            if (row.apiVersion().equals(apiVersion) && row.kind().equals(kind)) {
                return row;
            }
        }
        return null;
    }

    /** @return the allowlisted kinds as messages name them, e.g. {@code [v1 ConfigMap, example.org/v1 Widget]} */
    public List<String> describeKinds() {
        return kinds.stream().map(k -> k.apiVersion() + " " + k.kind()).toList();
    }
}
