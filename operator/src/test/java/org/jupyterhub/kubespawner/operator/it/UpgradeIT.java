package org.jupyterhub.kubespawner.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.jupyterhub.kubespawner.e2e.ControlPlane;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus.Phase;

/**
 * Upgrade safety: the previous build of main ({@link PreviousBuild}) runs as a process and spawns a few servers to
 * Ready; it stops and this build's packaged operator takes over. Once the new one has reconciled every instance (and
 * a while longer), nothing it owns has been written: no pod restarted or re-created, no pod, claim, network policy
 * or service changed (same uid and resourceVersion), and no instance status written (same resourceVersion).
 */
class UpgradeIT {

    @RegisterExtension
    static final ControlPlane cluster = ControlPlane.perClass();

    private static final int INSTANCES = 3;
    /** A template with one object of every kind, so every kind's desired state meets what the old build made. */
    private static final String EXTRAS = """
      persistentVolumeClaims:
      - name: home-{user}
        spec:
          accessModes: [ReadWriteOnce]
          resources:
            requests:
              storage: 1Gi
      networkPolicies:
      - name: np-{user}
        spec:
          podSelector:
            matchLabels:
              hub.jupyter.org/username: "{user}"
          policyTypes: [Ingress]
      services:
      - name: svc-{user}
        spec:
          selector:
            hub.jupyter.org/username: "{user}"
          ports:
          - port: 8888
      """;
    /** How long the new operator must leave everything alone after it has reconciled every instance. */
    private static final Duration QUIET = Duration.ofSeconds(15);

    @Test
    void theNextBuildTakesOverWithoutTouchingRunningServers() throws Exception {
        Path previous = PreviousBuild.jar(cluster.repoRoot());
        cluster.applyCrds();
        KubernetesClient admin = cluster.admin();
        String ns = cluster.namespace();
        admin.resource(Fixtures.template(ns, "upgrade", EXTRAS)).create();
        List<String> users =
                IntStream.range(0, INSTANCES).mapToObj(i -> "user" + i).toList();
        users.forEach(u -> Fixtures.volumeFor(admin, ns, "home-" + u));

        Map<String, String> before;
        try (OperatorProcess old = OperatorProcess.start(previous, cluster, "previous", "--watch-namespaces=" + ns)) {
            awaitReady(old);
            users.forEach(u -> admin.resource(Fixtures.instance(ns, "nb-" + u, "upgrade", "user: " + u, null))
                    .create());
            for (String u : users) {
                Fixtures.awaitInstance(admin, ns, "nb-" + u, Fixtures.phase(Phase.READY));
            }
            before = quietState(admin, ns);
            assertThat(old.alive()).as(old.logTail()).isTrue();
        } // SIGTERM: the old operator stops as in a rolling update
        assertThat(before).hasSize(INSTANCES * 5);
        assertThat(admin.pods().inNamespace(ns).list().getItems())
                .allSatisfy(pod -> assertThat(restarts(pod)).isZero());

        try (OperatorProcess next = OperatorProcess.start(cluster, "next", "--watch-namespaces=" + ns)) {
            awaitReady(next);
            try {
                await("the new operator reconciled every instance")
                        .atMost(Fixtures.WAIT)
                        .until(() -> reconciled(next) >= INSTANCES || !next.alive());
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("its reconcile metrics: " + reconcileMetrics(next), e);
            }
            assertThat(next.alive()).as(next.logTail()).isTrue();
            // Then nothing may change for a while: a write would show as a new resourceVersion.
            await("nothing written by the new operator")
                    .during(QUIET)
                    .atMost(QUIET.plusSeconds(30))
                    .pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> assertThat(state(admin, ns))
                            .as("uid@resourceVersion of every instance and object made for one")
                            .isEqualTo(before));
            assertThat(admin.pods().inNamespace(ns).list().getItems())
                    .hasSize(INSTANCES)
                    .allSatisfy(pod -> assertThat(restarts(pod)).isZero());
        } finally {
            Fixtures.releaseInstances(admin, ns);
            Fixtures.deleteVolumes(admin, ns);
        }
    }

    private static void awaitReady(OperatorProcess operator) {
        await("operator " + operator.port + " ready")
                .atMost(Fixtures.WAIT)
                .until(() -> operator.get("/readyz").startsWith("200") || !operator.alive());
        assertThat(operator.alive()).as(operator.logTail()).isTrue();
    }

    /** The state once the old operator has stopped writing: the same for 5 s in a row. */
    private static Map<String, String> quietState(KubernetesClient admin, String ns) {
        AtomicReference<Map<String, String>> last = new AtomicReference<>(Map.of());
        await("the previous operator done writing")
                .atMost(Fixtures.WAIT)
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    Map<String, String> now = state(admin, ns);
                    return now.equals(last.getAndSet(now));
                });
        await().during(Duration.ofSeconds(5))
                .atMost(Fixtures.WAIT)
                .until(() -> state(admin, ns).equals(last.get()));
        return last.get();
    }

    /** Every instance and every object made for one: kind/name to uid, resourceVersion (and for pods restarts). */
    private static Map<String, String> state(KubernetesClient admin, String ns) {
        Map<String, String> state = new TreeMap<>();
        Stream.of(
                        admin.resources(JupyterNotebookInstance.class)
                                .inNamespace(ns)
                                .list()
                                .getItems(),
                        admin.pods().inNamespace(ns).list().getItems(),
                        admin.persistentVolumeClaims().inNamespace(ns).list().getItems(),
                        admin.network()
                                .v1()
                                .networkPolicies()
                                .inNamespace(ns)
                                .list()
                                .getItems(),
                        admin.services().inNamespace(ns).list().getItems())
                .flatMap(List::stream)
                .forEach(o -> state.put(key(o), version(o)));
        return state;
    }

    private static String key(HasMetadata o) {
        return o.getKind() + "/" + o.getMetadata().getName();
    }

    private static String version(HasMetadata o) {
        return o.getMetadata().getUid() + "@" + o.getMetadata().getResourceVersion()
                + (o instanceof Pod pod ? " restarts " + restarts(pod) : "");
    }

    private static int restarts(Pod pod) {
        return pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null
                ? 0
                : pod.getStatus().getContainerStatuses().stream()
                        .mapToInt(s -> s.getRestartCount() == null ? 0 : s.getRestartCount())
                        .sum();
    }

    /** Reconciles of instances the operator has finished, from its own metrics (JOSDK's counters). */
    private static double reconciled(OperatorProcess operator) {
        return reconcileMetrics(operator).stream()
                .filter(line -> line.startsWith("operator_sdk_reconciliations_success_total")
                        && line.contains("kind=\"JupyterNotebookInstance\""))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    private static List<String> reconcileMetrics(OperatorProcess operator) {
        return operator.get("/metrics")
                .lines()
                .filter(line -> line.startsWith("operator_sdk_reconciliations"))
                .toList();
    }
}
