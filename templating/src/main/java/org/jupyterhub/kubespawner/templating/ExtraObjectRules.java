package org.jupyterhub.kubespawner.templating;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jupyterhub.kubespawner.templating.KindAllowlist.Role;
import org.jupyterhub.kubespawner.templating.core.ErrorKind;
import org.jupyterhub.kubespawner.templating.core.JsonPaths;
import org.jupyterhub.kubespawner.templating.core.TemplateError;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplateSpec;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancetemplatespec.ExtraObjects;

/**
 * The template's {@code extraObjects}, {@code serviceAccount} and {@code policy.roles}, against the operator's
 * {@link KindAllowlist}: which rows the entries use, the ServiceAccount and one RoleBinding per listed role the
 * {@code serviceAccount} stands for, and the checks no single object can make (a RoleBinding binds only listed
 * roles and the template's own ServiceAccounts; the pods use the template's ServiceAccount).
 *
 * @param entries the compiled entries, extraObjects in template order, then the serviceAccount's objects
 * @param roles the template's policy.roles (already checked against the allowlist)
 * @param serviceAccount the entry of the template's serviceAccount, or null
 * @param automountToken whether the pods get the ServiceAccount's token
 */
record ExtraObjectRules(
        List<CompiledEntry> entries, Set<Role> roles, CompiledEntry serviceAccount, boolean automountToken) {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String RBAC_GROUP = "rbac.authorization.k8s.io";

    /**
     * Compiles the entries and checks what can be checked before rendering.
     *
     * @param spec the template's spec, may be null
     * @param allowlist what the operator allows
     * @param imagePolicy the template's image policy, or null when it allows nothing
     * @param problems receives the template's problems
     * @return the rules
     */
    static ExtraObjectRules compile(
            JupyterNotebookInstanceTemplateSpec spec,
            KindAllowlist allowlist,
            ImagePolicy imagePolicy,
            List<TemplateError> problems) {
        Set<Role> roles = roles(spec, allowlist, problems);
        List<CompiledEntry> entries = new ArrayList<>();
        List<ExtraObjects> extras = spec == null || spec.getExtraObjects() == null ? List.of() : spec.getExtraObjects();
        for (int i = 0; i < extras.size(); i++) {
            ExtraObjects extra = extras.get(i);
            String path = JsonPaths.index("extraObjects", i);
            String apiVersion = extra == null ? null : extra.getApiVersion();
            String kind = extra == null ? null : extra.getKind();
            ObjectKind<?> row = allowlist.find(apiVersion, kind);
            if (row == null) {
                problems.add(new TemplateError(
                        path,
                        null,
                        ErrorKind.KIND_NOT_ALLOWED,
                        "kind " + apiVersion + " " + kind + " is not on the operator's allowlist (the chart's"
                                + " operator.extraObjects.kinds), so no template may make it; allowed: "
                                + allowlist.describeKinds()));
                continue;
            }
            CompiledEntry entry = CompiledEntry.compile(row, i, path, extra, imagePolicy, problems);
            if (row == AllowlistedKinds.ROLE_BINDING) {
                checkConstantRoleRef(MAPPER.valueToTree(extra).path("roleRef"), path, roles, problems);
            }
            entries.add(entry);
        }
        var account = spec == null ? null : spec.getServiceAccount();
        if (account == null) {
            return new ExtraObjectRules(entries, roles, null, false);
        }
        if (allowlist.find("v1", "ServiceAccount") == null
                || (!roles.isEmpty() && allowlist.find(RBAC_GROUP + "/v1", "RoleBinding") == null)) {
            problems.add(new TemplateError(
                    "serviceAccount",
                    null,
                    ErrorKind.KIND_NOT_ALLOWED,
                    "a serviceAccount needs v1 ServiceAccount (and, to bind policy.roles, " + RBAC_GROUP
                            + "/v1 RoleBinding) on the operator's allowlist; allowed: " + allowlist.describeKinds()));
            return new ExtraObjectRules(entries, roles, null, false);
        }
        boolean automount = Boolean.TRUE.equals(account.getAutomountToken());
        ObjectNode sa = MAPPER.createObjectNode();
        sa.put("name", account.getName());
        sa.set("labels", MAPPER.valueToTree(account.getLabels()));
        sa.set("annotations", MAPPER.valueToTree(account.getAnnotations()));
        sa.put("automountServiceAccountToken", automount);
        CompiledEntry saEntry =
                CompiledEntry.compile(AllowlistedKinds.SERVICE_ACCOUNT, 0, "serviceAccount", sa, null, problems);
        entries.add(saEntry);
        int j = 0;
        for (Role role : roles) {
            ObjectNode binding = MAPPER.createObjectNode();
            binding.put("name", account.getName() + "-" + role.kind().toLowerCase(Locale.ROOT) + "-" + role.name());
            binding.set("labels", MAPPER.valueToTree(account.getLabels()));
            binding.putObject("roleRef")
                    .put("apiGroup", RBAC_GROUP)
                    .put("kind", role.kind())
                    .put("name", role.name());
            binding.putArray("subjects")
                    .addObject()
                    .put("kind", "ServiceAccount")
                    .put("name", account.getName());
            entries.add(CompiledEntry.compile(
                    AllowlistedKinds.ROLE_BINDING, j++, "serviceAccount", binding, null, problems));
        }
        checkPodsLeaveServiceAccountAlone(spec, problems);
        return new ExtraObjectRules(entries, roles, saEntry, automount);
    }

    /** policy.roles: each must be one the operator may bind. */
    private static Set<Role> roles(
            JupyterNotebookInstanceTemplateSpec spec, KindAllowlist allowlist, List<TemplateError> problems) {
        Set<Role> roles = new LinkedHashSet<>();
        var listed = spec == null || spec.getPolicy() == null
                ? null
                : spec.getPolicy().getRoles();
        for (int i = 0; listed != null && i < listed.size(); i++) {
            var r = listed.get(i);
            Role role = new Role(r.getKind() == null ? "Role" : r.getKind().getValue(), String.valueOf(r.getName()));
            if (!allowlist.bindableRoles().contains(role)) {
                problems.add(new TemplateError(
                        JsonPaths.index("policy.roles", i),
                        null,
                        ErrorKind.ROLE_NOT_ALLOWED,
                        role.kind() + " " + role.name() + " is not a role the operator may bind; the admin's list"
                                + " (the chart's operator.extraObjects.bindableRoles) is "
                                + allowlist.bindableRoles().stream()
                                        .map(Role::toString)
                                        .sorted()
                                        .toList()));
            }
            roles.add(role);
        }
        return roles;
    }

    private static void checkConstantRoleRef(
            JsonNode roleRef, String path, Set<Role> roles, List<TemplateError> problems) {
        String name = roleRef.path("name").asText("");
        String kind = roleRef.path("kind").asText("");
        if (name.contains("{") || kind.contains("{")) {
            return; // judged after rendering
        }
        String problem = roleRefProblem(kind, name, roles);
        if (problem != null) {
            problems.add(
                    new TemplateError(JsonPaths.field(path, "roleRef"), null, ErrorKind.ROLE_NOT_ALLOWED, problem));
        }
    }

    private static String roleRefProblem(String kind, String name, Set<Role> roles) {
        boolean listed =
                roles.stream().anyMatch(r -> r.kind().equals(kind) && r.name().equals(name));
        return listed
                ? null
                : "a RoleBinding may reference only a role in policy.roles "
                        + roles.stream().map(Role::toString).toList() + ", not " + kind + " " + name;
    }

    private static void checkPodsLeaveServiceAccountAlone(
            JupyterNotebookInstanceTemplateSpec spec, List<TemplateError> problems) {
        var pods = spec.getPods() == null ? List.<Object>of() : spec.getPods();
        for (int i = 0; i < pods.size(); i++) {
            JsonNode podSpec = MAPPER.valueToTree(pods.get(i)).path("spec");
            for (String field : List.of("serviceAccountName", "serviceAccount", "automountServiceAccountToken")) {
                if (podSpec.has(field)) {
                    problems.add(new TemplateError(
                            JsonPaths.index("pods", i) + ".spec." + field,
                            null,
                            ErrorKind.INVALID_STRUCTURE,
                            "the template's serviceAccount decides the pods' ServiceAccount and token; remove "
                                    + field));
                }
            }
        }
    }

    /**
     * After rendering: the pods use the template's ServiceAccount, and every RoleBinding binds only listed roles and
     * the template's own ServiceAccounts.
     *
     * @param all every compiled entry of the template
     * @param objects the rendered object of each entry (parallel to {@code all}; null where it did not render)
     * @param namespace the instance's namespace, or null when the caller did not give it
     * @param errors receives every problem
     */
    void apply(List<CompiledEntry> all, List<HasMetadata> objects, String namespace, List<TemplateError> errors) {
        Set<String> accounts = new HashSet<>();
        String accountName = null;
        for (int i = 0; i < all.size(); i++) {
            if (objects.get(i) instanceof ServiceAccount sa) {
                accounts.add(sa.getMetadata().getName());
                if (all.get(i) == serviceAccount) {
                    accountName = sa.getMetadata().getName();
                }
            }
        }
        for (int i = 0; i < all.size(); i++) {
            HasMetadata object = objects.get(i);
            if (object instanceof Pod pod && serviceAccount != null && pod.getSpec() != null) {
                PodSpec spec = pod.getSpec();
                spec.setServiceAccountName(accountName);
                spec.setAutomountServiceAccountToken(automountToken);
            } else if (object instanceof RoleBinding binding) {
                checkBinding(binding, all.get(i).path(), accounts, namespace, errors);
            }
        }
    }

    private void checkBinding(
            RoleBinding binding, String path, Set<String> accounts, String namespace, List<TemplateError> errors) {
        var ref = binding.getRoleRef();
        String problem =
                ref == null ? "a RoleBinding needs a roleRef" : roleRefProblem(ref.getKind(), ref.getName(), roles);
        if (problem == null && ref.getApiGroup() != null && !RBAC_GROUP.equals(ref.getApiGroup())) {
            problem = "roleRef.apiGroup must be " + RBAC_GROUP + ", not " + ref.getApiGroup();
        }
        if (problem != null) {
            errors.add(new TemplateError(JsonPaths.field(path, "roleRef"), null, ErrorKind.ROLE_NOT_ALLOWED, problem));
        }
        List<Subject> subjects = binding.getSubjects() == null ? List.of() : binding.getSubjects();
        for (int k = 0; k < subjects.size(); k++) {
            Subject s = subjects.get(k);
            boolean ours = "ServiceAccount".equals(s.getKind())
                    && accounts.contains(s.getName())
                    && (s.getNamespace() == null || s.getNamespace().equals(namespace));
            if (!ours) {
                errors.add(new TemplateError(
                        JsonPaths.index(JsonPaths.field(path, "subjects"), k),
                        null,
                        ErrorKind.ROLE_NOT_ALLOWED,
                        "a RoleBinding may bind only ServiceAccounts this template creates "
                                + accounts.stream().sorted().toList() + " in the instance's namespace, not "
                                + s.getKind() + " " + s.getName()
                                + (s.getNamespace() == null ? "" : " of namespace " + s.getNamespace())));
            }
        }
    }
}
