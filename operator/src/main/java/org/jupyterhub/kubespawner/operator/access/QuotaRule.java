package org.jupyterhub.kubespawner.operator.access;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jupyterhub.kubespawner.v1.JupyterNotebookQuota;
import org.jupyterhub.kubespawner.v1.JupyterNotebookQuotaSpec;
import org.jupyterhub.kubespawner.v1.jupyternotebookquotaspec.Limits;
import org.jupyterhub.kubespawner.v1.jupyternotebookquotaspec.Scope;

/**
 * One JupyterNotebookQuota, compiled: its scope as hash sets (templates as namespace/name), its limits as exact
 * amounts. A quota whose amounts cannot be read says so and refuses every spawn in its scope (fail closed: the
 * CRD's rule stops such values at the API server already).
 */
public final class QuotaRule {

    private final String source;
    private final String namespace;
    private final Set<String> templates;
    private final Set<String> users;
    private final Set<String> groups;
    private final Integer servers;
    private final Integer serversPerUser;
    private final Map<String, BigDecimal> requests;
    private final Map<String, BigDecimal> requestsPerUser;
    private final String problem;

    private QuotaRule(JupyterNotebookQuota quota) {
        namespace = quota.getMetadata().getNamespace();
        source = "JupyterNotebookQuota " + namespace + "/" + quota.getMetadata().getName();
        JupyterNotebookQuotaSpec spec = quota.getSpec() == null ? new JupyterNotebookQuotaSpec() : quota.getSpec();
        Scope scope = spec.getScope() == null ? new Scope() : spec.getScope();
        List<String> keys = new ArrayList<>();
        if (scope.getTemplates() != null) {
            for (String t : scope.getTemplates()) {
                keys.add(t.contains("/") ? t : namespace + "/" + t);
            }
        }
        templates = Set.copyOf(keys);
        users = scope.getUsers() == null ? Set.of() : Set.copyOf(scope.getUsers());
        groups = scope.getGroups() == null ? Set.of() : Set.copyOf(scope.getGroups());
        Limits limits = spec.getLimits() == null ? new Limits() : spec.getLimits();
        servers = limits.getServers();
        serversPerUser = limits.getServersPerUser();
        List<String> problems = new ArrayList<>();
        requests = amounts(limits.getRequests(), "limits.requests", problems);
        requestsPerUser = amounts(limits.getRequestsPerUser(), "limits.requestsPerUser", problems);
        problem = problems.isEmpty() ? null : String.join("; ", problems);
    }

    /**
     * Compiles a quota.
     *
     * @param quota the object
     * @return the rule
     */
    public static QuotaRule of(JupyterNotebookQuota quota) {
        return new QuotaRule(quota);
    }

    private static Map<String, BigDecimal> amounts(
            Map<String, IntOrString> values, String field, List<String> problems) {
        if (values == null || values.isEmpty()) {
            return Map.of();
        }
        Map<String, BigDecimal> out = new TreeMap<>();
        values.forEach((resource, v) -> {
            String text = v.getIntVal() != null ? v.getIntVal().toString() : v.getStrVal();
            try {
                out.put(resource, new Quantity(text).getNumericalAmount());
            } catch (RuntimeException e) {
                problems.add(field + "." + resource + " '" + text + "' is not a quantity");
            }
        });
        return new LinkedHashMap<>(out);
    }

    /**
     * Whether a server counts against this quota.
     *
     * @param s the server
     * @return true when every scope field that is set matches
     */
    public boolean inScope(Server s) {
        if (!namespace.equals(s.namespace())) {
            return false;
        }
        if (!templates.isEmpty() && !templates.contains(s.template())) {
            return false;
        }
        if (!users.isEmpty() && (s.user() == null || !users.contains(s.user()))) {
            return false;
        }
        if (!groups.isEmpty()) {
            for (String g : s.groups()) {
                if (groups.contains(g)) {
                    return true;
                }
            }
            return false;
        }
        return true;
    }

    /** @return whether deciding needs the instance's user (per-user limits, or a scope of users or groups) */
    public boolean needsUser() {
        return serversPerUser != null || !requestsPerUser.isEmpty() || !users.isEmpty() || !groups.isEmpty();
    }

    /** @return whether it limits the scope as a whole */
    public boolean limitsTotal() {
        return servers != null || !requests.isEmpty();
    }

    /** @return whether it limits each user */
    public boolean limitsPerUser() {
        return serversPerUser != null || !requestsPerUser.isEmpty();
    }

    /** @return "JupyterNotebookQuota NS/NAME" */
    public String source() {
        return source;
    }

    /** @return the quota's namespace */
    public String namespace() {
        return namespace;
    }

    /** @return the templates of its scope (namespace/name), empty for all */
    public Set<String> templates() {
        return templates;
    }

    /** @return the users of its scope, empty for all */
    public Set<String> users() {
        return users;
    }

    /** @return the groups of its scope, empty for all */
    public Set<String> groups() {
        return groups;
    }

    /** @return limits.servers, or null */
    public Integer servers() {
        return servers;
    }

    /** @return limits.serversPerUser, or null */
    public Integer serversPerUser() {
        return serversPerUser;
    }

    /** @return limits.requests as amounts */
    public Map<String, BigDecimal> requests() {
        return requests;
    }

    /** @return limits.requestsPerUser as amounts */
    public Map<String, BigDecimal> requestsPerUser() {
        return requestsPerUser;
    }

    /** @return why the quota cannot be used, or null */
    public String problem() {
        return problem;
    }
}
