package org.jupyterhub.kubespawner.operator.access;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Whether one more server fits every quota of its namespace, counted over the servers that hold a share now. Pure:
 * quotas, the candidate and a view of the servers in; a refusal naming each quota exceeded, its limit and the
 * current use out.
 */
public final class Quotas {

    private static final int NAMES_IN_A_MESSAGE = 5;

    private Quotas() {}

    /**
     * Why a spawn may not go ahead.
     *
     * @param unidentified true when the refusal is that the instance does not say who its user is
     * @param message every quota exceeded (or the quota needing a user), with limits and use
     */
    public record Refusal(boolean unidentified, String message) {}

    /**
     * Checks a spawn against quotas.
     *
     * @param quotas the quotas of the candidate's namespace
     * @param candidate the server to start (its requests as rendered)
     * @param view the servers holding a share now (not the candidate)
     * @return null when it fits every quota, else why not
     */
    public static Refusal check(List<QuotaRule> quotas, Server candidate, ServerView view) {
        List<String> exceeded = new ArrayList<>(1);
        for (QuotaRule q : quotas) {
            if (q.needsUser() && candidate.user() == null) {
                return new Refusal(
                        true,
                        "spec.user is required: " + q.source()
                                + " counts servers by user or group, so the instance must say which JupyterHub user it"
                                + " is for");
            }
            if (!q.inScope(candidate)) {
                continue;
            }
            if (q.problem() != null) {
                exceeded.add(q.source() + " cannot be read, so it admits nothing: " + q.problem());
                continue;
            }
            if (q.limitsTotal()) {
                Use use = Use.of(inScope(q, view), q);
                use.exceeds(q.servers(), q.requests(), candidate, exceeded, q.source(), "", "are running or starting");
            }
            if (q.limitsPerUser()) {
                Use use = Use.of(view.ofUser(candidate.namespace(), candidate.user()), q);
                use.exceeds(
                        q.serversPerUser(),
                        q.requestsPerUser(),
                        candidate,
                        exceeded,
                        q.source(),
                        " per user",
                        "are " + candidate.user() + "'s");
            }
        }
        return exceeded.isEmpty() ? null : new Refusal(false, "quota exceeded: " + String.join("; ", exceeded));
    }

    /** The servers of the quota's scope, each once, from the narrowest index its scope allows. */
    private static Iterable<Server> inScope(QuotaRule q, ServerView view) {
        String ns = q.namespace();
        if (!q.users().isEmpty()) {
            return union(q.users(), u -> view.ofUser(ns, u));
        }
        if (!q.groups().isEmpty()) {
            return union(q.groups(), g -> view.ofGroup(ns, g));
        }
        if (!q.templates().isEmpty()) {
            return union(q.templates(), t -> view.ofTemplate(ns, t));
        }
        return view.inNamespace(ns);
    }

    private static Iterable<Server> union(Set<String> keys, java.util.function.Function<String, Iterable<Server>> of) {
        if (keys.size() == 1) {
            return of.apply(keys.iterator().next());
        }
        Map<String, Server> seen = new HashMap<>();
        for (String k : keys) {
            for (Server s : of.apply(k)) {
                seen.putIfAbsent(s.key(), s);
            }
        }
        return seen.values();
    }

    /** What the servers in scope hold: how many, their names (a few), their requests. */
    private record Use(int servers, List<String> names, Map<String, BigDecimal> requests) {

        static Use of(Iterable<Server> servers, QuotaRule q) {
            int n = 0;
            List<String> names = new ArrayList<>(2);
            Map<String, BigDecimal> requests = new HashMap<>();
            Set<String> counted = new HashSet<>();
            for (Server s : servers) {
                if (!q.inScope(s) || !counted.add(s.key())) {
                    continue;
                }
                n++;
                if (names.size() < NAMES_IN_A_MESSAGE) {
                    names.add(s.name());
                }
                s.requests().forEach((r, a) -> requests.merge(r, a, BigDecimal::add));
            }
            return new Use(n, names, requests);
        }

        void exceeds(
                Integer maxServers,
                Map<String, BigDecimal> maxRequests,
                Server candidate,
                List<String> exceeded,
                String source,
                String per,
                String whose) {
            if (maxServers != null && servers + 1 > maxServers) {
                exceeded.add(source + " allows " + maxServers + (maxServers == 1 ? " server" : " servers") + per
                        + " (limits.servers" + (per.isEmpty() ? "" : "PerUser") + ") and " + servers + " " + whose
                        + listing());
            }
            maxRequests.forEach((resource, max) -> {
                BigDecimal used = requests.getOrDefault(resource, BigDecimal.ZERO);
                BigDecimal asked = candidate.requests().getOrDefault(resource, BigDecimal.ZERO);
                if (asked.signum() > 0 && used.add(asked).compareTo(max) > 0) {
                    exceeded.add(source + " allows requests of " + ServerRequests.format(max) + " " + resource + per
                            + " (limits.requests" + (per.isEmpty() ? "" : "PerUser") + "); "
                            + ServerRequests.format(used) + " are requested by the " + servers
                            + (servers == 1 ? " server that " : " servers that ") + whose
                            + listing() + ", and this server requests " + ServerRequests.format(asked));
                }
            });
        }

        private String listing() {
            if (names.isEmpty()) {
                return "";
            }
            return " (" + String.join(", ", names) + (servers > names.size() ? ", ..." : "") + ")";
        }
    }
}
