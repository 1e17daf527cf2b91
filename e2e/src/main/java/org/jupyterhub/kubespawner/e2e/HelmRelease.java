package org.jupyterhub.kubespawner.e2e;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The chart installed with the pinned helm into a test class's namespace, as an administrator would
 * ({@code helm install}), and uninstalled afterwards (its cluster-scoped objects outlive the namespace otherwise).
 */
public final class HelmRelease implements AutoCloseable {

    /** The chart's path in the repository. */
    public static final String CHART = "charts/jupyter-notebook-operator";

    // helm's own cache/config/data, kept out of the user's home and shared by every module's tests.
    private static final Path HELM_HOME = Path.of(System.getProperty("java.io.tmpdir"), "jno-helm");

    private final ControlPlane cluster;
    private final String name;
    private final String namespace;

    private HelmRelease(ControlPlane cluster, String name, String namespace) {
        this.cluster = cluster;
        this.name = name;
        this.namespace = namespace;
    }

    /**
     * Installs the chart. CRDs are applied by the test first (server-side, as every IT does), so helm skips them.
     *
     * @param cluster the control plane to install into
     * @param name the release name
     * @param namespace the release namespace
     * @param sets {@code --set} arguments, e.g. {@code operator.replicas=2}
     * @return the installed release; close it to uninstall
     */
    public static HelmRelease install(ControlPlane cluster, String name, String namespace, String... sets) {
        List<String> args = new ArrayList<>(List.of("install", name, CHART, "--namespace", namespace, "--skip-crds"));
        for (String set : sets) {
            args.add("--set");
            args.add(set);
        }
        run(cluster, args);
        awaitQuotasCounted(cluster, namespace);
        return new HelmRelease(cluster, name, namespace);
    }

    /**
     * The chart's instance quota admits no instance until the quota controller has counted every resource it limits
     * (the API server answers "status unknown for quota" meanwhile). A quota created before the controller has
     * discovered the CRD (every 30 s) is counted only at its next change of spec.hard or periodic resync (5 minutes):
     * nothing else wakes it while no instance can be created. So, as docs/helm-chart.md tells admins, spec.hard is
     * changed and changed back.
     */
    private static void awaitQuotasCounted(ControlPlane cluster, String namespace) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        long nextTouch = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            List<ResourceQuota> uncounted =
                    cluster.admin().resourceQuotas().inNamespace(namespace).list().getItems().stream()
                            .filter(HelmRelease::uncounted)
                            .toList();
            if (uncounted.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the quotas in " + namespace + " were not counted within 120 s");
            }
            if (System.nanoTime() > nextTouch) {
                for (ResourceQuota q : uncounted) {
                    Map<String, Quantity> hard = q.getSpec().getHard();
                    Map<String, Quantity> bumped = new HashMap<>(hard);
                    bumped.replaceAll((resource, limit) -> new Quantity(
                            String.valueOf(limit.getNumericalAmount().longValue() + 1)));
                    for (Map<String, Quantity> limits : List.of(bumped, hard)) {
                        cluster.admin()
                                .resourceQuotas()
                                .inNamespace(namespace)
                                .withName(q.getMetadata().getName())
                                // a merge patch: no resourceVersion, so the controller's status writes never conflict
                                .patch(
                                        PatchContext.of(PatchType.JSON_MERGE),
                                        Serialization.asJson(Map.of("spec", Map.of("hard", limits))));
                    }
                }
                nextTouch = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    private static boolean uncounted(ResourceQuota q) {
        return q.getStatus() == null
                || q.getStatus().getHard() == null
                || q.getStatus().getUsed() == null
                || !q.getStatus()
                        .getUsed()
                        .keySet()
                        .containsAll(q.getStatus().getHard().keySet());
    }

    /**
     * The name the chart gives the operator's ServiceAccount, Deployment and Lease.
     *
     * @return release name + {@code -jupyter-notebook-operator}
     */
    public String fullname() {
        return name + "-jupyter-notebook-operator";
    }

    /**
     * The admission policy's name (cluster-scoped: namespace-release-chart-hub).
     *
     * @return its name
     */
    public String admissionPolicy() {
        return namespace + "-" + name + "-jupyter-notebook-operator-hub";
    }

    @Override
    public void close() {
        run(cluster, List.of("uninstall", name, "--namespace", namespace, "--wait"));
    }

    private static String run(ControlPlane cluster, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(cluster.cluster().helm().toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(cluster.repoRoot().toFile())
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        builder.environment().put("KUBECONFIG", cluster.kubeconfig().toString());
        builder.environment().put("HELM_CACHE_HOME", HELM_HOME.resolve("cache").toString());
        builder.environment()
                .put("HELM_CONFIG_HOME", HELM_HOME.resolve("config").toString());
        builder.environment().put("HELM_DATA_HOME", HELM_HOME.resolve("data").toString());
        try {
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException("helm " + String.join(" ", args) + " failed:\n" + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run helm", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running helm", e);
        }
    }
}
