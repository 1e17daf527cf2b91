package org.jupyterhub.kubespawner.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.jupyterhub.kubespawner.e2e.ControlPlane;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus.Phase;

/** Two replicas with leader election: only the Lease holder acts; when it stops, the other takes over. */
class LeaderElectionIT {

    @RegisterExtension
    static final ControlPlane cluster = ControlPlane.perClass();

    @Test
    void onlyTheLeaderActsAndTheOtherTakesOver() {
        cluster.applyCrds();
        KubernetesClient admin = cluster.admin();
        String ns = cluster.namespace();
        admin.resource(Fixtures.template(ns, "small", null)).create();

        RunningOperator a = RunningOperator.start(cluster, env(ns, "replica-a"));
        RunningOperator b = RunningOperator.start(cluster, env(ns, "replica-b"));
        try {
            String leader =
                    await("a Lease holder").atMost(Fixtures.WAIT).until(() -> holder(admin, ns), h -> h != null);
            assertThat(leader).isIn("replica-a", "replica-b");
            for (int i = 0; i < 3; i++) {
                admin.resource(Fixtures.instance(ns, "first-" + i, "small", "user: first-" + i, null))
                        .create();
            }
            for (int i = 0; i < 3; i++) {
                Fixtures.awaitInstance(admin, ns, "first-" + i, Fixtures.phase(Phase.READY));
            }
            await("the leader's Events")
                    .atMost(Fixtures.WAIT)
                    .untilAsserted(() -> assertThat(reporters(admin, ns)).containsExactly(leader));

            RunningOperator leading = leader.equals("replica-a") ? a : b;
            String follower = leader.equals("replica-a") ? "replica-b" : "replica-a";
            leading.close();
            await("the follower takes the Lease")
                    .atMost(Duration.ofSeconds(90))
                    .until(() -> follower.equals(holder(admin, ns)));
            admin.resource(Fixtures.instance(ns, "second", "small", "user: second", null))
                    .create();
            Fixtures.awaitInstance(admin, ns, "second", Fixtures.phase(Phase.READY), Duration.ofSeconds(90));
            // Events follow their decisions by the recorder's write delay.
            await("the follower's Events").atMost(Fixtures.WAIT).untilAsserted(() -> {
                assertThat(reporters(admin, ns)).containsExactlyInAnyOrder(leader, follower);
                assertThat(Fixtures.eventsAbout(admin, ns, "second"))
                        .extracting(Event::getReportingInstance)
                        .containsOnly(follower);
            });
        } finally {
            Fixtures.releaseInstances(admin, ns);
            a.close();
            b.close();
        }
    }

    private static Map<String, String> env(String ns, String identity) {
        return Map.of(
                "JNO_WATCH_NAMESPACES",
                ns,
                "JNO_HTTP_PORT",
                "-1",
                "JNO_IDENTITY",
                identity,
                "JNO_REPLICAS",
                "2",
                "JNO_LEASE_NAMESPACE",
                ns,
                "JNO_PROGRESS_TIMEOUT",
                "2m");
    }

    private static String holder(KubernetesClient admin, String ns) {
        Lease lease = admin.leases()
                .inNamespace(ns)
                .withName("jupyter-notebook-operator")
                .get();
        return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
    }

    private static Set<String> reporters(KubernetesClient admin, String ns) {
        return admin.events().v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> "kubespawner.jupyterhub.org/operator".equals(e.getReportingController()))
                .map(Event::getReportingInstance)
                .collect(Collectors.toSet());
    }
}
