package org.jupyterhub.kubespawner.operator.runtime;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jupyterhub.kubespawner.operator.quota.QuotaNudger;
import org.jupyterhub.kubespawner.templating.KindAllowlist;
import org.jupyterhub.kubespawner.templating.ObjectKind;

/**
 * The operator's settings, from environment variables ({@code JNO_*}) overridden by command-line flags
 * ({@code --watch-namespaces=a,b}). Each is declared once, with its type, default, variable, flag and chart value,
 * in {@link OperatorSettings}; every default suits a large cluster.
 *
 * @param watchNamespaces namespaces to watch; empty means all
 * @param clientQps sustained API requests per second (client-side token bucket)
 * @param clientBurst requests allowed at once above the sustained rate
 * @param eventQps sustained Event writes per second (a bucket of their own, so Events never slow spawns)
 * @param eventBurst Event writes allowed at once above their sustained rate
 * @param eventDelay how long an Event waits before it is written
 * @param reconcileConcurrency reconciliations run in parallel
 * @param progressTimeout how long a notebook pod may take to become ready
 * @param maxConcurrentSpawns how many spawns may be provisioning at once; further new instances wait as Pending
 * @param leaderElection whether to elect a leader through a Lease before acting
 * @param leaseName the Lease's name
 * @param leaseNamespace the Lease's namespace, or null for the operator's own namespace
 * @param httpPort port of /healthz, /readyz and /metrics; 0 picks a free port, -1 disables the server
 * @param identity this replica's identity (Lease holder, Events' reportingInstance)
 * @param hubSecretLabel the label every Secret an instance's envSecretRef names must carry
 * @param allowlist the kinds templates may make in extraObjects and the roles their policy.roles may name
 * @param instanceQuotas the ResourceQuotas to get counted after a fresh install (the chart's instance quotas)
 */
public record OperatorConfig(
        Set<String> watchNamespaces,
        int clientQps,
        int clientBurst,
        int eventQps,
        int eventBurst,
        Duration eventDelay,
        int reconcileConcurrency,
        Duration progressTimeout,
        int maxConcurrentSpawns,
        boolean leaderElection,
        String leaseName,
        String leaseNamespace,
        int httpPort,
        String identity,
        Label hubSecretLabel,
        KindAllowlist allowlist,
        List<QuotaNudger.QuotaRef> instanceQuotas) {

    /**
     * A label, as a setting gives it ({@code key=value}).
     *
     * @param key the label's key, a qualified name
     * @param value the label's value
     */
    public record Label(String key, String value) {
        @Override
        public String toString() {
            return key + "=" + value;
        }
    }

    /**
     * Reads the settings.
     *
     * @param env the environment
     * @param args the command-line flags
     * @return the settings
     * @throws IllegalArgumentException naming the setting, its value and what is allowed
     */
    public static OperatorConfig parse(Map<String, String> env, String[] args) {
        Map<String, String> given = new LinkedHashMap<>();
        for (Setting<?> s : OperatorSettings.ALL) {
            String v = env.get(s.env());
            if (v != null && !v.isBlank()) {
                given.put(s.flag(), v.trim());
            }
        }
        for (String arg : args) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new IllegalArgumentException(
                        "unexpected argument '" + arg + "': flags look like --name=value" + " (see --help)");
            }
            String name = arg.substring(2, arg.indexOf('='));
            if (OperatorSettings.ALL.stream().noneMatch(s -> s.flag().equals(name))) {
                throw new IllegalArgumentException("unknown flag --" + name + " (see --help)");
            }
            given.put(name, arg.substring(arg.indexOf('=') + 1).trim());
        }
        int replicas = OperatorSettings.REPLICAS.from(given);
        boolean leader = switch (OperatorSettings.LEADER_ELECTION.from(given)) {
            case "true" -> true;
            case "false" -> false;
            default -> replicas > 1;
        };
        String identity = OperatorSettings.IDENTITY.from(given);
        Set<String> namespaces = OperatorSettings.WATCH_NAMESPACES.from(given);
        List<QuotaNudger.QuotaRef> instanceQuotas = OperatorSettings.INSTANCE_QUOTAS.from(given);
        return new OperatorConfig(
                namespaces == null ? Set.of() : namespaces,
                OperatorSettings.CLIENT_QPS.from(given),
                OperatorSettings.CLIENT_BURST.from(given),
                OperatorSettings.EVENT_QPS.from(given),
                OperatorSettings.EVENT_BURST.from(given),
                OperatorSettings.EVENT_DELAY.from(given),
                OperatorSettings.RECONCILE_CONCURRENCY.from(given),
                OperatorSettings.PROGRESS_TIMEOUT.from(given),
                OperatorSettings.MAX_CONCURRENT_SPAWNS.from(given),
                leader,
                OperatorSettings.LEASE_NAME.from(given),
                OperatorSettings.LEASE_NAMESPACE.from(given),
                OperatorSettings.HTTP_PORT.from(given),
                identity != null ? identity : env.getOrDefault("HOSTNAME", "jupyter-notebook-operator"),
                OperatorSettings.HUB_SECRET_LABEL.from(given),
                allowlist(given),
                instanceQuotas == null ? List.of() : instanceQuotas);
    }

    private static KindAllowlist allowlist(Map<String, String> given) {
        List<ObjectKind<?>> kinds = OperatorSettings.EXTRA_KINDS.from(given);
        Set<KindAllowlist.Role> roles = OperatorSettings.BINDABLE_ROLES.from(given);
        return new KindAllowlist(kinds == null ? List.of() : kinds, roles == null ? Set.of() : roles);
    }

    /** @return the environment variable of every declared setting, in the order of {@code --help} */
    public static List<String> environmentVariables() {
        return OperatorSettings.ALL.stream().map(Setting::env).toList();
    }

    /** @return the --help text: the settings, from their declarations in {@link OperatorSettings}, and self-check */
    static String help() {
        return OperatorSettings.help()
                + "\nOr: java -jar jupyter-notebook-operator.jar self-check [--operator-url=URL]"
                + " [--may=VERB:RESOURCE@NS ...] [--may-not=VERB:RESOURCE@NS ...] [--timeout=SECONDS]\n"
                + "      checks an installed release as the identity it runs with (the chart's helm test).\n";
    }
}
