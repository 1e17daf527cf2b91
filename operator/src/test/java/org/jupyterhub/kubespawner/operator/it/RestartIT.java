package org.jupyterhub.kubespawner.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.jupyterhub.kubespawner.e2e.ControlPlane;
import org.jupyterhub.kubespawner.operator.ManagedLabels;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus.Phase;

/**
 * The packaged operator, killed with SIGKILL in the middle of a burst of spawns and started again, converges: every
 * instance Ready, exactly one object of each kind per instance, nothing that existed re-created. Its HTTP endpoints
 * answer as documented.
 */
class RestartIT {

    @RegisterExtension
    static final ControlPlane cluster = ControlPlane.perClass();

    private static final int INSTANCES = 12;
    private static final String CLAIMS = """
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
      """;

    @Test
    void killedMidSpawnAndRestartedConvergesWithoutDuplicates() throws Exception {
        cluster.applyCrds();
        KubernetesClient admin = cluster.admin();
        String ns = cluster.namespace();
        admin.resource(Fixtures.template(ns, "home", CLAIMS)).create();
        List<String> users =
                IntStream.range(0, INSTANCES).mapToObj(i -> "user" + i).toList();
        users.forEach(u -> Fixtures.volumeFor(admin, ns, "home-" + u));

        Map<String, String> uidsBeforeKill;
        try (OperatorProcess first = OperatorProcess.start(cluster, "first", "--watch-namespaces=" + ns)) {
            await("first operator ready")
                    .atMost(Fixtures.WAIT)
                    .until(() -> first.get("/readyz").startsWith("200") || !first.alive());
            assertThat(first.alive()).as(first.logTail()).isTrue();
            users.forEach(u -> admin.resource(Fixtures.instance(ns, "nb-" + u, "home", "user: " + u, null))
                    .create());
            // Kill as soon as the burst is under way: some instances have objects, others none yet.
            await().atMost(Fixtures.WAIT)
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> !admin.persistentVolumeClaims()
                            .inNamespace(ns)
                            .list()
                            .getItems()
                            .isEmpty());
            first.kill();
            uidsBeforeKill = uids(admin, ns);
        }

        // A half-done spawn created while no operator runs: its retained claim exists, stamped for this instance (as
        // the operator stamps it: managed-by and instance labels), the pod not. It is used again, not replaced.
        JupyterNotebookInstance late = admin.resource(Fixtures.instance(ns, "nb-late", "home", "user: late", null))
                .create();
        Fixtures.volumeFor(admin, ns, "home-late");
        HasMetadata earlierClaim = admin.resource(new PersistentVolumeClaimBuilder()
                        .withNewMetadata()
                        .withName("home-late")
                        .withNamespace(ns)
                        .addToLabels("app.kubernetes.io/managed-by", "jupyter-notebook-operator")
                        .addToLabels("kubespawner.jupyterhub.org/instance", "nb-late")
                        .endMetadata()
                        .withNewSpec()
                        .withAccessModes("ReadWriteOnce")
                        .withNewResources()
                        .addToRequests("storage", new io.fabric8.kubernetes.api.model.Quantity("1Gi"))
                        .endResources()
                        .endSpec()
                        .build())
                .create();

        try (OperatorProcess second = OperatorProcess.start(cluster, "second", "--watch-namespaces=" + ns)) {
            try {
                for (String u : users) {
                    Fixtures.awaitInstance(admin, ns, "nb-" + u, Fixtures.phase(Phase.READY));
                }
                JupyterNotebookInstance lateReady =
                        Fixtures.awaitInstance(admin, ns, "nb-late", Fixtures.phase(Phase.READY));
                assertThat(lateReady.getStatus().getResources())
                        .filteredOn(r -> r.getKind().equals("PersistentVolumeClaim"))
                        .singleElement()
                        .satisfies(r -> assertThat(r.getMessage()).contains("already existed"));

                // One pod, claim and network policy per instance; nothing that existed was replaced.
                List<Pod> pods = admin.pods().inNamespace(ns).list().getItems();
                assertThat(pods).hasSize(INSTANCES + 1);
                Map<String, Long> podsPerInstance = pods.stream()
                        .collect(Collectors.groupingBy(
                                p -> p.getMetadata().getLabels().get(ManagedLabels.INSTANCE), Collectors.counting()));
                assertThat(podsPerInstance)
                        .hasSize(INSTANCES + 1)
                        .allSatisfy((k, v) -> assertThat(v).isEqualTo(1L));
                assertThat(admin.persistentVolumeClaims().inNamespace(ns).list().getItems())
                        .hasSize(INSTANCES + 1);
                assertThat(admin.network()
                                .v1()
                                .networkPolicies()
                                .inNamespace(ns)
                                .list()
                                .getItems())
                        .hasSize(INSTANCES + 1);
                Map<String, String> uidsAfter = uids(admin, ns);
                assertThat(uidsAfter).containsAllEntriesOf(uidsBeforeKill);
                assertThat(admin.persistentVolumeClaims()
                                .inNamespace(ns)
                                .withName("home-late")
                                .get()
                                .getMetadata())
                        .satisfies(m -> {
                            assertThat(m.getUid())
                                    .isEqualTo(earlierClaim.getMetadata().getUid());
                            assertThat(m.getLabels()).containsEntry(ManagedLabels.INSTANCE, "nb-late");
                        });
                assertThat(late.getMetadata().getUid())
                        .isEqualTo(lateReady.getMetadata().getUid());

                // The HTTP endpoints of the packaged operator.
                assertThat(second.get("/healthz")).startsWith("200");
                assertThat(second.get("/readyz")).startsWith("200");
                String metrics = second.get("/metrics");
                assertThat(metrics)
                        .startsWith("200")
                        .contains("jno_instance_ready_seconds_bucket")
                        .contains("jno_instance_objects_total{kind=\"Pod\"}")
                        .contains("operator_sdk_reconciliations_");
            } finally {
                Fixtures.releaseInstances(admin, ns);
            }
        }
    }

    private static Map<String, String> uids(KubernetesClient admin, String ns) {
        Map<String, String> uids = new HashMap<>();
        admin.pods()
                .inNamespace(ns)
                .list()
                .getItems()
                .forEach(o -> uids.put("Pod/" + name(o), o.getMetadata().getUid()));
        admin.persistentVolumeClaims()
                .inNamespace(ns)
                .list()
                .getItems()
                .forEach(o -> uids.put("PVC/" + name(o), o.getMetadata().getUid()));
        admin.network()
                .v1()
                .networkPolicies()
                .inNamespace(ns)
                .list()
                .getItems()
                .forEach(o -> uids.put("NP/" + name(o), o.getMetadata().getUid()));
        return uids;
    }

    private static String name(HasMetadata o) {
        return o.getMetadata().getName();
    }
}
