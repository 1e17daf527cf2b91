package org.jupyterhub.kubespawner.operator.access;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jupyterhub.kubespawner.v1.JupyterNotebookAccess;
import org.jupyterhub.kubespawner.v1.JupyterNotebookAccessSpec;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancetemplatespec.policy.Access;

/**
 * One access rule, compiled for fast checks: a JupyterNotebookAccess, or a template's own policy.access. Users and
 * groups are hash sets, the window is parsed once. A rule whose window cannot be read grants nothing (fail closed)
 * and says why.
 */
public final class AccessGrant {

    /** In the users list: every user. In a JupyterNotebookAccess's templates list: every template of its namespace. */
    public static final String ANY = "*";

    private final String source;
    private final String namespace;
    private final List<String> templates;
    private final Set<String> users;
    private final Set<String> groups;
    private final boolean anyUser;
    private final Instant notBefore;
    private final Instant notAfter;
    private final String problem;
    /** describe(), made once: a refusal lists rules, and the rule never changes (a racy write is harmless). */
    private String description;

    private AccessGrant(
            String source,
            String namespace,
            List<String> templates,
            List<String> users,
            List<String> groups,
            String notBefore,
            String notAfter) {
        this.source = source;
        this.namespace = namespace;
        this.templates = templates == null ? List.of() : List.copyOf(templates);
        this.users = users == null ? Set.of() : Set.copyOf(users);
        this.groups = groups == null ? Set.of() : Set.copyOf(groups);
        this.anyUser = this.users.contains(ANY);
        List<String> problems = new ArrayList<>(2);
        this.notBefore = time(notBefore, "notBefore", problems);
        this.notAfter = time(notAfter, "notAfter", problems);
        this.problem = problems.isEmpty() ? null : String.join("; ", problems);
    }

    /**
     * Compiles a JupyterNotebookAccess.
     *
     * @param access the object
     * @return the rule
     */
    public static AccessGrant of(JupyterNotebookAccess access) {
        JupyterNotebookAccessSpec spec = access.getSpec() == null ? new JupyterNotebookAccessSpec() : access.getSpec();
        String ns = access.getMetadata().getNamespace();
        return new AccessGrant(
                "JupyterNotebookAccess " + ns + "/" + access.getMetadata().getName(),
                ns,
                spec.getTemplates(),
                spec.getUsers(),
                spec.getGroups(),
                spec.getNotBefore(),
                spec.getNotAfter());
    }

    /**
     * Compiles a template's own rule.
     *
     * @param namespace the template's namespace
     * @param name the template's name
     * @param policy its policy.access
     * @return the rule
     */
    public static AccessGrant inline(String namespace, String name, Access policy) {
        return new AccessGrant(
                "template " + namespace + "/" + name + " (policy.access)",
                namespace,
                List.of(name),
                policy.getUsers(),
                policy.getGroups(),
                policy.getNotBefore(),
                policy.getNotAfter());
    }

    private static Instant time(String value, String field, List<String> problems) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            problems.add(field + " '" + value + "' is not an RFC 3339 time");
            return null;
        }
    }

    /**
     * Whether the rule names this user, directly, by one of the user's groups or by "*" (whatever the window).
     *
     * @param user the user
     * @return the subject that matched ("user ada", "group physics", "every user"), or null
     */
    public String subject(HubUser user) {
        if (users.contains(user.name())) {
            return "user " + user.name();
        }
        for (String g : user.groups()) {
            if (groups.contains(g)) {
                return "group " + g;
            }
        }
        return anyUser ? "every user" : null;
    }

    /**
     * Whether the rule grants at this moment (its window is open and it has no problem).
     *
     * @param now the time
     * @return true when it grants now
     */
    public boolean activeAt(Instant now) {
        return problem == null
                && (notBefore == null || !now.isBefore(notBefore))
                && (notAfter == null || now.isBefore(notAfter));
    }

    /**
     * The next moment after {@code now} when this rule starts or stops granting.
     *
     * @param now the time
     * @return the moment, or null when the rule will not change by itself
     */
    public Instant nextChangeAfter(Instant now) {
        if (problem != null) {
            return null;
        }
        if (notBefore != null && now.isBefore(notBefore)) {
            return notBefore;
        }
        if (notAfter != null && now.isBefore(notAfter)) {
            return notAfter;
        }
        return null;
    }

    /**
     * Why the rule does not grant now, though it names the user: outside its window, or broken.
     *
     * @param now the time
     * @return a clause for a message
     */
    public String whyNotNow(Instant now) {
        if (problem != null) {
            return source + " grants nothing: " + problem;
        }
        if (notBefore != null && now.isBefore(notBefore)) {
            return source + " grants it only from " + notBefore + " (notBefore)";
        }
        return source + " granted it until " + notAfter + " (notAfter)";
    }

    /**
     * The rule for messages, without naming any user (a refused user must not learn who else has access).
     *
     * @return e.g. "JupyterNotebookAccess hub/physics (groups physics; 3 users) until 2027-04-30T18:00:00Z"
     */
    public String describe() {
        String d = description;
        if (d == null) {
            d = describeOnce();
            description = d;
        }
        return d;
    }

    private String describeOnce() {
        List<String> who = new ArrayList<>(2);
        if (!groups.isEmpty()) {
            who.add("groups " + String.join(", ", groups.stream().sorted().toList()));
        }
        if (anyUser) {
            who.add("every user");
        } else if (!users.isEmpty()) {
            who.add(users.size() == 1 ? "1 user" : users.size() + " users");
        }
        StringBuilder s = new StringBuilder(source);
        s.append(" (").append(who.isEmpty() ? "nobody" : String.join("; ", who)).append(')');
        if (notBefore != null) {
            s.append(" from ").append(notBefore);
        }
        if (notAfter != null) {
            s.append(" until ").append(notAfter);
        }
        if (problem != null) {
            s.append(", broken: ").append(problem);
        }
        return s.toString();
    }

    /** @return where the rule comes from, e.g. "JupyterNotebookAccess hub/physics" */
    public String source() {
        return source;
    }

    /** @return the namespace of the templates it names */
    public String namespace() {
        return namespace;
    }

    /** @return the template names it names ("*": all of its namespace) */
    public List<String> templates() {
        return templates;
    }

    /** @return the user names it names ("*": every user) */
    public Set<String> users() {
        return users;
    }

    /** @return the group names it names */
    public Set<String> groups() {
        return groups;
    }

    /** @return when it stops granting, or null */
    public Instant notAfter() {
        return notAfter;
    }
}
