package org.jupyterhub.kubespawner.operator.access;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancetemplatestatus.Access;

/**
 * The access decision, one implementation for every use: whether an instance's user may use its template now (each
 * spawn, and each look at a running server), and who may use a template now (published in the template's status,
 * which the spawner's options form reads). Pure: rules, user and time in, a verdict out.
 */
public final class AccessRules {

    /** status.access lists at most this many users, and as many groups. */
    public static final int PUBLISHED_LIMIT = 10_000;

    private static final int RULES_IN_A_MESSAGE = 5;

    private AccessRules() {}

    /**
     * Decides for one instance.
     *
     * @param template the template's compiled access (it restricts access)
     * @param rules the JupyterNotebookAccess rules naming the template
     * @param who what the instance asserts about its user
     * @param now the time
     * @return the verdict
     */
    public static AccessVerdict decide(
            TemplateAccess template, AccessIndex.Rules rules, HubUser.Assertion who, Instant now) {
        if (who instanceof HubUser.Missing) {
            return new AccessVerdict.Unidentified(
                    "spec.user is required: " + template.describe()
                            + " restricts access (policy.access), so the instance must say which JupyterHub user it is for",
                    template.whenAccessEnds());
        }
        if (who instanceof HubUser.Malformed malformed) {
            return new AccessVerdict.Unidentified(malformed.problem(), template.whenAccessEnds());
        }
        HubUser user = ((HubUser.Asserted) who).user();
        Search search = new Search(user, now);
        search.consider(template.own());
        rules.named().naming(user, search::consider);
        rules.anyTemplate().naming(user, search::consider);
        if (search.best != null) {
            AccessGrant g = search.best;
            return new AccessVerdict.Granted(
                    "granted to " + search.bestSubject + " by " + g.source()
                            + (g.notAfter() == null ? "" : " until " + g.notAfter()),
                    search.next);
        }
        return new AccessVerdict.Denied(
                denial(template, rules, user, search, now), search.next, template.whenAccessEnds());
    }

    /** The walk over the rules naming a user: the best one granting now, the soonest change, the rest. */
    private static final class Search {
        final HubUser user;
        final Instant now;
        AccessGrant best;
        String bestSubject;
        Instant next;
        Set<AccessGrant> notNow = Set.of();

        Search(HubUser user, Instant now) {
            this.user = user;
            this.now = now;
        }

        void consider(AccessGrant g) {
            String subject = g.subject(user);
            if (subject == null) {
                return;
            }
            Instant change = g.nextChangeAfter(now);
            if (change != null && (next == null || change.isBefore(next))) {
                next = change;
            }
            if (!g.activeAt(now)) {
                if (notNow.isEmpty()) {
                    notNow = new LinkedHashSet<>(2);
                }
                notNow.add(g);
            } else if (best == null || outlasts(g, best)) {
                best = g;
                bestSubject = subject;
            }
        }

        /** The rule granting longest explains a grant best; ties go to the first source by name. */
        private static boolean outlasts(AccessGrant a, AccessGrant b) {
            if (a.notAfter() == null || b.notAfter() == null) {
                return a.notAfter() == null
                        && (b.notAfter() != null || a.source().compareTo(b.source()) < 0);
            }
            int c = a.notAfter().compareTo(b.notAfter());
            return c > 0 || (c == 0 && a.source().compareTo(b.source()) < 0);
        }
    }

    private static String denial(
            TemplateAccess template, AccessIndex.Rules rules, HubUser user, Search search, Instant now) {
        StringBuilder s = new StringBuilder(template.describe())
                .append(" restricts access (policy.access) and no rule grants ")
                .append(user.describe())
                .append(" now");
        if (!search.notNow.isEmpty()) {
            s.append(": ");
            List<String> why = new ArrayList<>();
            for (AccessGrant g : search.notNow) {
                why.add(g.whyNotNow(now));
            }
            return s.append(String.join("; ", why)).toString();
        }
        List<AccessGrant> all = new ArrayList<>(1 + rules.size());
        all.add(template.own());
        all.addAll(rules.named().all());
        all.addAll(rules.anyTemplate().all());
        s.append("; ")
                .append(all.size() == 1 ? "the only rule is " : all.size() + " rules name it: ")
                .append(String.join(
                        ", ",
                        all.stream()
                                .limit(RULES_IN_A_MESSAGE)
                                .map(AccessGrant::describe)
                                .toList()));
        if (all.size() > RULES_IN_A_MESSAGE) {
            s.append(" and ").append(all.size() - RULES_IN_A_MESSAGE).append(" more");
        }
        return s.append(". Ask an administrator for access (a JupyterNotebookAccess in namespace ")
                .append(template.namespace())
                .append(')')
                .toString();
    }

    /**
     * Who may use a template now, for its status.access (the spawner's options form shows a template to a user only
     * when the user or one of the user's groups is listed).
     *
     * @param template the template's compiled access
     * @param rules the JupyterNotebookAccess rules naming it
     * @param now the time
     * @return the status.access to publish
     */
    public static Access publish(TemplateAccess template, AccessIndex.Rules rules, Instant now) {
        Set<String> users = new TreeSet<>();
        Set<String> groups = new TreeSet<>();
        Instant next = null;
        List<AccessGrant> all = new ArrayList<>(1 + rules.size());
        all.add(template.own());
        all.addAll(rules.named().all());
        all.addAll(rules.anyTemplate().all());
        for (AccessGrant g : all) {
            Instant change = g.nextChangeAfter(now);
            if (change != null && (next == null || change.isBefore(next))) {
                next = change;
            }
            if (g.activeAt(now)) {
                users.addAll(g.users());
                groups.addAll(g.groups());
            }
        }
        if (users.contains(AccessGrant.ANY)) {
            users = Set.of(AccessGrant.ANY);
        }
        Access published = new Access();
        boolean truncated = users.size() > PUBLISHED_LIMIT || groups.size() > PUBLISHED_LIMIT;
        published.setUsers(users.stream().limit(PUBLISHED_LIMIT).toList());
        published.setGroups(groups.stream().limit(PUBLISHED_LIMIT).toList());
        published.setRules(all.size());
        published.setTruncated(truncated ? Boolean.TRUE : null);
        published.setNextChange(next == null ? null : next.toString());
        return published;
    }
}
