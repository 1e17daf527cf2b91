package org.jupyterhub.kubespawner.operator.runtime;

import static org.jupyterhub.kubespawner.operator.runtime.Setting.Chart.derived;
import static org.jupyterhub.kubespawner.operator.runtime.Setting.Chart.fixed;
import static org.jupyterhub.kubespawner.operator.runtime.Setting.Chart.value;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jupyterhub.kubespawner.operator.quota.QuotaNudger;
import org.jupyterhub.kubespawner.templating.KindAllowlist;
import org.jupyterhub.kubespawner.templating.ObjectKind;

/**
 * The operator's settings, each declared once. {@link OperatorConfig#parse} reads them, {@link #help()} is the
 * {@code --help} text, {@link #markdownTable()} is the table in docs/operator.md (a test keeps the two equal), and
 * a test checks that the chart sets exactly these environment variables from the declared values.
 */
final class OperatorSettings {

    private OperatorSettings() {}

    static final Setting<Set<String>> WATCH_NAMESPACES = new Setting<>(
            "watch-namespaces",
            "JNO_WATCH_NAMESPACES",
            null,
            "all",
            derived(
                    "operator.watchNamespaces",
                    "the list; empty: `hub.namespaces` + `hub.templateNamespaces`; all with `operator.watchAllNamespaces`"),
            "comma-separated namespaces to watch (instances, templates and what is created for them)",
            Setting.names());

    static final Setting<Integer> CLIENT_QPS = new Setting<>(
            "client-qps",
            "JNO_CLIENT_QPS",
            "200",
            null,
            value("operator.clientQps"),
            "sustained API requests per second (client-side token bucket; watches are not counted)",
            Setting.atLeast(1));

    static final Setting<Integer> CLIENT_BURST = new Setting<>(
            "client-burst",
            "JNO_CLIENT_BURST",
            "400",
            null,
            value("operator.clientBurst"),
            "requests allowed at once above that rate",
            Setting.atLeast(1));

    static final Setting<Integer> EVENT_QPS = new Setting<>(
            "event-qps",
            "JNO_EVENT_QPS",
            "50",
            null,
            value("operator.eventQps"),
            "sustained Event writes per second: a bucket of their own on top of `client-qps`, so the background"
                    + " Event writes of a burst never take the spawns' budget",
            Setting.atLeast(1));

    static final Setting<Integer> EVENT_BURST = new Setting<>(
            "event-burst",
            "JNO_EVENT_BURST",
            "200",
            null,
            value("operator.eventBurst"),
            "Event writes allowed at once above that rate",
            Setting.atLeast(1));

    static final Setting<Duration> EVENT_DELAY = new Setting<>(
            "event-delay",
            "JNO_EVENT_DELAY",
            "250ms",
            null,
            value("operator.eventDelay"),
            "how long each Event waits before it is written, so the pod create or status write it records reaches"
                    + " the API server first (in order; `0ms` writes at once; written at once on shutdown)",
            Setting.duration(true));

    static final Setting<Integer> RECONCILE_CONCURRENCY = new Setting<>(
            "reconcile-concurrency",
            "JNO_RECONCILE_CONCURRENCY",
            "50",
            null,
            value("operator.reconcileConcurrency"),
            "reconciliations run in parallel (one at a time per object, always)",
            Setting.atLeast(1));

    static final Setting<Duration> PROGRESS_TIMEOUT = new Setting<>(
            "progress-timeout",
            "JNO_PROGRESS_TIMEOUT",
            "5m",
            null,
            value("operator.progressTimeout"),
            "how long a notebook pod may take to become Ready (`90s`, `5m`, `1h`, `PT5M`)",
            Setting.duration(false));

    static final Setting<Integer> MAX_CONCURRENT_SPAWNS = new Setting<>(
            "max-concurrent-spawns",
            "JNO_MAX_CONCURRENT_SPAWNS",
            "500",
            null,
            value("operator.maxConcurrentSpawns"),
            "how many spawns may be provisioning (objects created, pod not yet Ready or failed) at once; further new"
                    + " instances wait as `Pending` (`SpawnQueued`)",
            Setting.atLeast(1));

    static final Setting<Integer> REPLICAS = new Setting<>(
            "replicas",
            "JNO_REPLICAS",
            "1",
            null,
            value("operator.replicas"),
            "replicas of the deployment; more than 1 turns leader election on",
            Setting.atLeast(1));

    static final Setting<String> LEADER_ELECTION = new Setting<>(
            "leader-election",
            "JNO_LEADER_ELECTION",
            "auto",
            null,
            derived("operator.leaderElection", "`true` or `false`, `auto` decided by `operator.replicas`"),
            "`true`, `false`, or `auto` (on when replicas > 1)",
            Setting.oneOf(List.of("true", "false", "auto")));

    static final Setting<String> LEASE_NAME = new Setting<>(
            "lease-name",
            "JNO_LEASE_NAME",
            "jupyter-notebook-operator",
            null,
            fixed("the release's full name, the one name the Lease Role allows"),
            "the `coordination.k8s.io` Lease",
            Setting.text());

    static final Setting<String> LEASE_NAMESPACE = new Setting<>(
            "lease-namespace",
            "JNO_LEASE_NAMESPACE",
            null,
            "own namespace, else `default`",
            fixed("the pod's namespace (downward API)"),
            "the Lease's namespace",
            Setting.text());

    static final Setting<Integer> HTTP_PORT = new Setting<>(
            "http-port",
            "JNO_HTTP_PORT",
            "8080",
            null,
            value("operator.httpPort"),
            "`/healthz`, `/readyz`, `/metrics`; `0` any free port, `-1` off",
            Setting.port());

    static final Setting<String> IDENTITY = new Setting<>(
            "identity",
            "JNO_IDENTITY",
            null,
            "`$HOSTNAME`",
            fixed("the pod's name (downward API)"),
            "this replica's name: Lease holder and the Events' `reportingInstance`",
            Setting.text());

    static final Setting<OperatorConfig.Label> HUB_SECRET_LABEL = new Setting<>(
            "hub-secret-label",
            "JNO_HUB_SECRET_LABEL",
            "app.kubernetes.io/managed-by=notebookinstance-spawner",
            null,
            derived(
                    "hub.admissionPolicy.managedByLabel",
                    "`app.kubernetes.io/managed-by=<value>`, so the operator and the admission policy always agree"),
            "the label (`key=value`) every Secret an instance's `envSecretRef` names must carry",
            Setting.label());

    static final Setting<List<ObjectKind<?>>> EXTRA_KINDS = new Setting<>(
            "extra-kinds",
            "JNO_EXTRA_KINDS",
            null,
            "none",
            derived(
                    "operator.extraObjects.kinds",
                    "`apiVersion/Kind` (`=podSpecPath` when set) of each entry, comma-separated; the operator's Role"
                            + " gets `get` and `create` on exactly these"),
            "the kinds templates may make in `extraObjects`, each `apiVersion/Kind`, a custom resource's"
                    + " optionally `=path` of a pod spec inside it whose images `policy.allowedImages` must allow"
                    + " (`v1/ConfigMap,example.org/v1/Widget=spec.template.spec`); empty: none",
            ExtraKindsSetting.kinds());

    static final Setting<Set<KindAllowlist.Role>> BINDABLE_ROLES = new Setting<>(
            "bindable-roles",
            "JNO_BINDABLE_ROLES",
            null,
            "none",
            derived(
                    "operator.extraObjects.bindableRoles",
                    "`Kind/name` of each entry, comma-separated; the operator's Role gets `bind` on exactly these"),
            "the roles a template's `policy.roles` may name, each `Role/name` or `ClusterRole/name`; empty: none",
            ExtraKindsSetting.roles());

    static final Setting<List<QuotaNudger.QuotaRef>> INSTANCE_QUOTAS = new Setting<>(
            "instance-quotas",
            "JNO_INSTANCE_QUOTAS",
            null,
            "none",
            derived(
                    "hub.instanceQuota",
                    "`namespace/name` of the chart's instance quota in each of `hub.namespaces`; empty with `0`"),
            "ResourceQuotas (`namespace/name`, comma-separated) the operator gets counted after a fresh install: while"
                    + " the quota controller has not counted a resource they limit, it changes that limit and back"
                    + " (docs/helm-chart.md); empty: none",
            quotaRefs());

    /** Comma-separated {@code namespace/name}s. */
    private static Setting.Type<List<QuotaNudger.QuotaRef>> quotaRefs() {
        return (flag, text) -> {
            List<QuotaNudger.QuotaRef> refs = new ArrayList<>();
            for (String item : text.split(",")) {
                if (item.isBlank()) {
                    continue;
                }
                String[] parts = item.trim().split("/", -1);
                if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                    throw new IllegalArgumentException(
                            flag + " must be namespace/name items, comma-separated, got '" + item.trim() + "'");
                }
                refs.add(new QuotaNudger.QuotaRef(parts[0], parts[1]));
            }
            return List.copyOf(refs);
        };
    }

    /** Every setting, in the order of {@code --help} and the docs. */
    static final List<Setting<?>> ALL = List.of(
            WATCH_NAMESPACES,
            CLIENT_QPS,
            CLIENT_BURST,
            EVENT_QPS,
            EVENT_BURST,
            EVENT_DELAY,
            RECONCILE_CONCURRENCY,
            PROGRESS_TIMEOUT,
            MAX_CONCURRENT_SPAWNS,
            REPLICAS,
            LEADER_ELECTION,
            LEASE_NAME,
            LEASE_NAMESPACE,
            HTTP_PORT,
            IDENTITY,
            HUB_SECRET_LABEL,
            EXTRA_KINDS,
            BINDABLE_ROLES,
            INSTANCE_QUOTAS);

    /** @return the {@code --help} text */
    static String help() {
        StringBuilder s = new StringBuilder("Usage: java -jar jupyter-notebook-operator.jar [--flag=value ...]\n"
                + "Runs against $KUBECONFIG (or ~/.kube/config, or the in-cluster service account).\n"
                + "Each setting is an environment variable, overridden by its flag.\n\n");
        for (Setting<?> setting : ALL) {
            s.append(String.format(
                    "  --%-24s %-28s default %s%n      %s%n",
                    setting.flag(), setting.env(), plain(setting.shownDefault()), plain(setting.meaning())));
        }
        return s.toString();
    }

    /** @return the settings table of docs/operator.md, one row per setting */
    static String markdownTable() {
        StringBuilder s =
                new StringBuilder("| flag | environment | default | chart | meaning |\n|---|---|---|---|---|\n");
        for (Setting<?> setting : ALL) {
            String chart = setting.chart().value() == null
                    ? setting.chart().how()
                    : "`" + setting.chart().value() + "`"
                            + (setting.chart().verbatim()
                                    ? ""
                                    : ": " + setting.chart().how());
            s.append("| `--")
                    .append(setting.flag())
                    .append("` | `")
                    .append(setting.env())
                    .append("` | ")
                    .append(setting.defaultText() != null ? "`" + setting.defaultText() + "`" : setting.defaultNote())
                    .append(" | ")
                    .append(chart)
                    .append(" | ")
                    .append(setting.meaning())
                    .append(" |\n");
        }
        return s.toString();
    }

    private static String plain(String markdown) {
        return markdown.replace("`", "");
    }
}
