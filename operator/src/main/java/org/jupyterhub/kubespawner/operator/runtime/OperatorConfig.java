package org.jupyterhub.kubespawner.operator.runtime;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The operator's settings, from environment variables ({@code JNO_*}) overridden by command-line flags
 * ({@code --watch-namespaces=a,b}). Every setting has a default that suits a large cluster.
 *
 * @param watchNamespaces namespaces to watch; empty means all
 * @param clientQps sustained API requests per second (client-side token bucket)
 * @param clientBurst requests allowed at once above the sustained rate
 * @param eventQps sustained Event writes per second (a bucket of their own, so Events never slow spawns)
 * @param eventBurst Event writes allowed at once above their sustained rate
 * @param reconcileConcurrency reconciliations run in parallel
 * @param progressTimeout how long a notebook pod may take to become ready
 * @param leaderElection whether to elect a leader through a Lease before acting
 * @param leaseName the Lease's name
 * @param leaseNamespace the Lease's namespace, or null for the operator's own namespace
 * @param httpPort port of /healthz, /readyz and /metrics; 0 picks a free port, -1 disables the server
 * @param identity this replica's identity (Lease holder, Events' reportingInstance)
 * @param maxConcurrentSpawns how many spawns may provision at once; further new instances wait as Pending
 * @param hubSecretLabel the label ({@code key=value}) every Secret an instance's envSecretRef names must carry
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
        boolean leaderElection,
        String leaseName,
        String leaseNamespace,
        int httpPort,
        String identity,
        int maxConcurrentSpawns,
        String hubSecretLabel) {

    /** The settings, their environment variables and defaults, for --help and the docs. */
    static final List<String[]> SETTINGS = List.of(
            new String[] {"watch-namespaces", "JNO_WATCH_NAMESPACES", "(all)", "comma-separated namespaces to watch"},
            new String[] {"client-qps", "JNO_CLIENT_QPS", "200", "API requests per second"},
            new String[] {"client-burst", "JNO_CLIENT_BURST", "400", "API requests allowed in a burst"},
            new String[] {"event-qps", "JNO_EVENT_QPS", "50", "Event writes per second (on top of client-qps)"},
            new String[] {"event-burst", "JNO_EVENT_BURST", "200", "Event writes allowed in a burst"},
            new String[] {
                "event-delay",
                "JNO_EVENT_DELAY",
                "250ms",
                "how long an Event waits to be written, so the request it records goes first (0ms: at once)"
            },
            new String[] {"reconcile-concurrency", "JNO_RECONCILE_CONCURRENCY", "50", "parallel reconciliations"},
            new String[] {
                "progress-timeout",
                "JNO_PROGRESS_TIMEOUT",
                "5m",
                "how long a notebook pod may take to become Ready (e.g. 90s, 5m, PT5M)"
            },
            new String[] {
                "replicas", "JNO_REPLICAS", "1", "replicas of the operator deployment (>1 turns on leader election)"
            },
            new String[] {"leader-election", "JNO_LEADER_ELECTION", "auto", "true, false or auto (on when replicas > 1)"
            },
            new String[] {"lease-name", "JNO_LEASE_NAME", "jupyter-notebook-operator", "the leader election Lease"},
            new String[] {
                "lease-namespace", "JNO_LEASE_NAMESPACE", "(own namespace, else default)", "the Lease's namespace"
            },
            new String[] {"http-port", "JNO_HTTP_PORT", "8080", "port of /healthz /readyz /metrics (-1: off)"},
            new String[] {"identity", "JNO_IDENTITY", "$HOSTNAME", "this replica's identity"},
            new String[] {
                "max-concurrent-spawns",
                "JNO_MAX_CONCURRENT_SPAWNS",
                "500",
                "spawns provisioning at once (objects created, pod not yet Ready); more wait as Pending"
            },
            new String[] {
                "hub-secret-label",
                "JNO_HUB_SECRET_LABEL",
                "app.kubernetes.io/managed-by=notebookinstance-spawner",
                "the label every Secret named by an instance's envSecretRef must carry (key=value)"
            });

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    /**
     * Reads the settings.
     *
     * @param env the environment
     * @param args the command-line flags
     * @return the settings
     * @throws IllegalArgumentException naming the setting, its value and what is allowed
     */
    public static OperatorConfig parse(Map<String, String> env, String[] args) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String[] s : SETTINGS) {
            String v = env.get(s[1]);
            if (v != null && !v.isBlank()) {
                values.put(s[0], v.trim());
            }
        }
        for (String arg : args) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new IllegalArgumentException(
                        "unexpected argument '" + arg + "': flags look like --name=value" + " (see --help)");
            }
            String name = arg.substring(2, arg.indexOf('='));
            if (SETTINGS.stream().noneMatch(s -> s[0].equals(name))) {
                throw new IllegalArgumentException("unknown flag --" + name + " (see --help)");
            }
            values.put(name, arg.substring(arg.indexOf('=') + 1).trim());
        }
        Set<String> namespaces = new LinkedHashSet<>();
        for (String ns : values.getOrDefault("watch-namespaces", "").split(",")) {
            if (!ns.isBlank()) {
                namespaces.add(ns.trim());
            }
        }
        int replicas = positive(values, "replicas", 1);
        String election = values.getOrDefault("leader-election", "auto").toLowerCase(Locale.ROOT);
        boolean leader = switch (election) {
            case "true" -> true;
            case "false" -> false;
            case "auto" -> replicas > 1;
            default ->
                throw new IllegalArgumentException(
                        "leader-election must be true, false or auto, got '" + election + "'");
        };
        String identity = values.get("identity");
        if (identity == null) {
            identity = env.getOrDefault("HOSTNAME", "jupyter-notebook-operator");
        }
        int port = integer(values, "http-port", 8080);
        if (port < -1 || port > 65535) {
            throw new IllegalArgumentException("http-port must be -1 (off), 0 (any) or a port number, got " + port);
        }
        return new OperatorConfig(
                Set.copyOf(namespaces),
                positive(values, "client-qps", 200),
                positive(values, "client-burst", 400),
                positive(values, "event-qps", 50),
                positive(values, "event-burst", 200),
                duration("event-delay", values.getOrDefault("event-delay", "250ms"), true),
                positive(values, "reconcile-concurrency", 50),
                duration("progress-timeout", values.getOrDefault("progress-timeout", "5m"), false),
                leader,
                values.getOrDefault("lease-name", "jupyter-notebook-operator"),
                values.get("lease-namespace"),
                port,
                identity,
                positive(values, "max-concurrent-spawns", 500),
                label(values.getOrDefault(
                        "hub-secret-label", "app.kubernetes.io/managed-by=notebookinstance-spawner")));
    }

    private static String label(String text) {
        int eq = text.indexOf('=');
        if (eq <= 0 || eq == text.length() - 1 || text.indexOf('=', eq + 1) >= 0) {
            throw new IllegalArgumentException("hub-secret-label must look like key=value, got '" + text + "'");
        }
        return text;
    }

    /**
     * Parses {@code 90s}, {@code 5m}, {@code 1h}, {@code 500ms} or ISO-8601 ({@code PT5M}).
     *
     * @param name the setting, for the error message
     * @param text the duration
     * @param zeroAllowed whether zero is allowed (else it must be positive)
     * @return the duration
     */
    static Duration duration(String name, String text, boolean zeroAllowed) {
        Matcher m = DURATION.matcher(text);
        Duration d;
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            d = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        } else {
            try {
                d = Duration.parse(text);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(
                        name + " must look like 500ms, 90s, 5m, 1h or PT5M, got '" + text + "'");
            }
        }
        if (d.isNegative() || (d.isZero() && !zeroAllowed)) {
            throw new IllegalArgumentException(
                    name + " must be " + (zeroAllowed ? "zero or more" : "positive") + ", got '" + text + "'");
        }
        return d;
    }

    private static int integer(Map<String, String> values, String name, int fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, got '" + v + "'");
        }
    }

    private static int positive(Map<String, String> values, String name, int fallback) {
        int v = integer(values, name, fallback);
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + v);
        }
        return v;
    }

    /** @return the --help text */
    static String help() {
        StringBuilder s = new StringBuilder("Usage: java -jar jupyter-notebook-operator.jar [--flag=value ...]\n"
                + "Runs against $KUBECONFIG (or ~/.kube/config, or the in-cluster service account).\n\n");
        for (String[] setting : SETTINGS) {
            s.append(String.format(
                    "  --%-24s %-28s default %s%n      %s%n", setting[0], setting[1], setting[2], setting[3]));
        }
        s.append("\nOr: java -jar jupyter-notebook-operator.jar self-check [--operator-url=URL]"
                + " [--may=VERB:RESOURCE@NS ...] [--may-not=VERB:RESOURCE@NS ...] [--timeout=SECONDS]\n"
                + "      checks an installed release as the identity it runs with (the chart's helm test).\n");
        return s.toString();
    }
}
