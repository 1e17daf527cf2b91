package org.jupyterhub.kubespawner.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.jupyterhub.kubespawner.e2e.ControlPlane;
import org.jupyterhub.kubespawner.e2e.HelmRelease;
import org.jupyterhub.kubespawner.operator.it.Fixtures;
import org.jupyterhub.kubespawner.operator.runtime.NotebookOperator;
import org.jupyterhub.kubespawner.operator.runtime.OperatorConfig;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus.Phase;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;

/**
 * The chart's RBAC is sufficient: the chart is installed with helm (two replicas, so leader election and its Lease
 * Role are on), and the operator runs in this JVM with nothing but a TokenRequest token of the chart's own
 * ServiceAccount. The hub, with its own chart ServiceAccount (and under the admission policy), creates the
 * spawner's Secret and an instance of the chart's Zero-to-JupyterHub template; the instance reaches Ready; the hub
 * deletes it; the pod goes and the user's claim stays. Any permission the operator lacked would stop it on the way.
 */
class OperatorWithChartRbacIT {

    @RegisterExtension
    static final ControlPlane cluster = ControlPlane.perClass();

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String USER = "grace-hopper";
    private static final String INSTANCE = "jupyter-" + USER;
    private static final String CLAIM = "claim-" + USER;
    private static final String POD_NAME = "jno-jupyter-notebook-operator-7d9f8-abcde";
    /** Not the chart's default, so the check below can tell the value reached both policy and operator. */
    private static final String SPAWNER = "jno-it-spawner";

    private static HelmRelease release;
    private static NotebookOperator operator;
    private static String ns;

    @BeforeAll
    static void installAndRunOperatorAsItsServiceAccount() {
        cluster.applyCrds();
        ns = cluster.namespace();
        // Non-default settings, so the check below can tell the chart's values from the operator's defaults.
        release = HelmRelease.install(
                cluster,
                "jno",
                ns,
                "operator.replicas=2",
                "operator.clientQps=123",
                "operator.clientBurst=321",
                "operator.reconcileConcurrency=7",
                "operator.progressTimeout=3m",
                "operator.httpPort=9090",
                "operator.maxConcurrentSpawns=77",
                "hub.admissionPolicy.managedByLabel=" + SPAWNER);
        KubernetesClient asServiceAccount = cluster.clientFor(ns, release.fullname());
        // The operator's configuration is the chart's: the installed Deployment's environment, as the kubelet would
        // resolve it, read by the operator's own parser. A renamed setting on either side fails here.
        Map<String, String> env = ChartDeployment.environment(cluster.admin(), release, ns, POD_NAME);
        assertThat(env.keySet().stream().filter(k -> k.startsWith("JNO_")))
                .as("the chart sets every declared setting, and no other")
                .containsExactlyInAnyOrderElementsOf(OperatorConfig.environmentVariables());
        OperatorConfig config = OperatorConfig.parse(env, new String[0]);
        assertThat(config.watchNamespaces()).containsExactly(ns);
        assertThat(config.leaderElection()).as("2 replicas: leader election").isTrue();
        assertThat(config.leaseName()).isEqualTo(release.fullname());
        assertThat(config.leaseNamespace()).isEqualTo(ns);
        assertThat(config.identity()).isEqualTo(POD_NAME);
        assertThat(config.clientQps()).isEqualTo(123);
        assertThat(config.clientBurst()).isEqualTo(321);
        assertThat(config.reconcileConcurrency()).isEqualTo(7);
        assertThat(config.progressTimeout()).isEqualTo(Duration.ofMinutes(3));
        assertThat(config.httpPort()).isEqualTo(9090);
        assertThat(config.maxConcurrentSpawns()).isEqualTo(77);
        assertThat(config.hubSecretLabel())
                .as("the label the admission policy requires of the hub's Secrets")
                .isEqualTo(new OperatorConfig.Label("app.kubernetes.io/managed-by", SPAWNER));
        operator = NotebookOperator.create(
                NotebookOperator.client(asServiceAccount.getConfiguration(), config),
                config,
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                false);
        operator.start();
    }

    @AfterAll
    static void stop() {
        if (operator != null) {
            operator.close();
        }
        cluster.admin().persistentVolumes().withLabel("jno-it", ns).delete();
        if (release != null) {
            release.close();
        }
    }

    @Test
    void fullLifecycleWithOnlyTheChartsPermissions() {
        KubernetesClient admin = cluster.admin();
        KubernetesClient hub = cluster.clientFor(ns, "hub");
        Fixtures.volumeFor(admin, ns, CLAIM);

        // Leader election through the chart's Lease rules.
        await("the Lease held by the operator").atMost(WAIT).until(() -> {
            Lease lease =
                    admin.leases().inNamespace(ns).withName(release.fullname()).get();
            return lease != null && POD_NAME.equals(lease.getSpec().getHolderIdentity());
        });
        // ... and renewed (fabric8 renews with PATCH, which the Role allows on this one Lease).
        java.time.ZonedDateTime acquired = admin.leases()
                .inNamespace(ns)
                .withName(release.fullname())
                .get()
                .getSpec()
                .getRenewTime();
        await("the Lease renewed")
                .atMost(WAIT)
                .until(() -> admin.leases()
                        .inNamespace(ns)
                        .withName(release.fullname())
                        .get()
                        .getSpec()
                        .getRenewTime()
                        .isAfter(acquired));
        // Template status through templates/status.
        await("the chart's template checked").atMost(WAIT).until(() -> {
            JupyterNotebookInstanceTemplate t = admin.resources(JupyterNotebookInstanceTemplate.class)
                    .inNamespace(ns)
                    .withName("z2jh-default")
                    .get();
            return t.getStatus() != null
                    && t.getStatus().getConditions().stream()
                            .anyMatch(c ->
                                    c.getType().equals("Valid") && c.getStatus().equals("True"));
        });

        // What the spawner does, as the hub.
        hub.secrets()
                .inNamespace(ns)
                .resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName(INSTANCE)
                        .addToLabels("app.kubernetes.io/managed-by", SPAWNER)
                        .endMetadata()
                        .withType("Opaque")
                        .addToStringData("JUPYTERHUB_API_TOKEN", "token")
                        .build())
                .create();
        hub.resources(JupyterNotebookInstance.class)
                .inNamespace(ns)
                .resource(instance())
                .create();

        JupyterNotebookInstance ready =
                Fixtures.awaitInstance(admin, ns, INSTANCE, s -> s.getPhase() == Phase.READY, WAIT);
        assertThat(ready.getStatus().getPodName()).isEqualTo(INSTANCE);
        assertThat(ready.getStatus().getUrl()).startsWith("http://").endsWith(":8888");
        assertThat(admin.pods()
                        .inNamespace(ns)
                        .withName(INSTANCE)
                        .get()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getEnvFrom())
                .singleElement()
                .satisfies(f -> assertThat(f.getSecretRef().getName()).isEqualTo(INSTANCE));
        assertThat(admin.network()
                        .v1()
                        .networkPolicies()
                        .inNamespace(ns)
                        .withName("singleuser-" + USER)
                        .get())
                .isNotNull();
        assertThat(admin.persistentVolumeClaims()
                        .inNamespace(ns)
                        .withName(CLAIM)
                        .get())
                .isNotNull();
        // Events through events.k8s.io create/patch.
        await("the operator's Events")
                .atMost(WAIT)
                .untilAsserted(() -> assertThat(admin.events().v1().events().inNamespace(ns).list().getItems().stream()
                                .filter(e -> e.getRegarding() != null
                                        && INSTANCE.equals(e.getRegarding().getName()))
                                .map(Event::getReason)
                                .toList())
                        .contains("ResourceCreated", "PodReady"));
        // Events are readable by the hub (its progress page).
        assertThat(hub.events().v1().events().inNamespace(ns).list().getItems()).isNotEmpty();

        // Stop, as the spawner does: foreground deletion of the instance, then its Secret.
        hub.resources(JupyterNotebookInstance.class)
                .inNamespace(ns)
                .withName(INSTANCE)
                .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.FOREGROUND)
                .delete();
        await("instance and pod gone")
                .atMost(WAIT)
                .until(() -> admin.resources(JupyterNotebookInstance.class)
                                        .inNamespace(ns)
                                        .withName(INSTANCE)
                                        .get()
                                == null
                        && admin.pods().inNamespace(ns).withName(INSTANCE).get() == null);
        assertThat(hub.secrets().inNamespace(ns).withName(INSTANCE).delete()).isNotEmpty();
        assertThat(admin.persistentVolumeClaims()
                        .inNamespace(ns)
                        .withName(CLAIM)
                        .get())
                .as("the user's claim is kept")
                .isNotNull();
        assertThat(operator.ready())
                .as("every informer healthy (list/watch allowed)")
                .isTrue();
    }

    private static JupyterNotebookInstance instance() {
        String yaml = """
        apiVersion: kubespawner.jupyterhub.org/v1
        kind: JupyterNotebookInstance
        metadata:
          name: %1$s
          labels:
            app.kubernetes.io/managed-by: %3$s
        spec:
          template:
            name: z2jh-default
          variables:
            username: %2$s
            unescaped_username: Grace Hopper
            user_server: %2$s
            userid: "7"
            pvc_name: claim-%2$s
            hub_namespace: %4$s
          env:
            JUPYTERHUB_USER: Grace Hopper
          envSecretRef:
            name: %1$s
          args: [jupyterhub-singleuser]
        """.formatted(INSTANCE, USER, SPAWNER, ns);
        JupyterNotebookInstance i = Serialization.unmarshal(yaml, JupyterNotebookInstance.class);
        i.getMetadata().setNamespace(ns);
        return i;
    }
}
