package org.jupyterhub.kubespawner.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.jupyterhub.kubespawner.e2e.ControlPlane;
import org.jupyterhub.kubespawner.e2e.HelmRelease;
import org.jupyterhub.kubespawner.operator.runtime.NotebookOperator;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus.Phase;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;

/**
 * Suspend, resume and the lifetime limits with the chart installed: the hub, with its own token, may suspend and
 * resume its instances and change nothing else of them (the Role's patch and the admission policy); the operator,
 * with its release's token, deletes pods on suspend, reads the probe's token and deletes an instance whose limit
 * says so, with nothing but the chart's rules.
 */
class LifecycleWithChartIT {

    @RegisterExtension
    static final ControlPlane cluster = ControlPlane.perClass();

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static HelmRelease release;
    private static NotebookOperator operator;
    private static String ns;
    private static KubernetesClient admin;
    private static KubernetesClient hub;

    @BeforeAll
    static void installTheChartAndItsOperator() {
        cluster.applyCrds();
        admin = cluster.admin();
        ns = cluster.namespace();
        release = HelmRelease.install(cluster, "jno", ns);
        operator = ReleaseOperator.start(cluster, release, ns, Map.of());
        hub = cluster.clientFor(ns, "hub");
    }

    @AfterAll
    static void stop() {
        if (operator != null) {
            operator.close();
        }
        if (release != null) {
            release.close();
        }
    }

    @Test
    void theHubMaySuspendAndResumeItsServerAndChangeNothingElse() {
        admin.resource(template("plain", "")).create();
        spawn("jupyter-ada", "plain", "ada");
        awaitPhase("jupyter-ada", Phase.READY);

        patch("{\"spec\":{\"suspended\":true}}");
        awaitPhase("jupyter-ada", Phase.SUSPENDED);
        await("the operator deleted the pod with the chart's rights")
                .atMost(WAIT)
                .until(() -> admin.pods().inNamespace(ns).withName("nb-ada").get() == null);

        for (String forbidden : List.of(
                "{\"spec\":{\"variables\":{\"user\":\"grace\"}}}",
                "{\"spec\":{\"env\":{\"EXTRA\":\"1\"}}}",
                "{\"spec\":{\"args\":[\"--debug\"]}}",
                "{\"spec\":{\"envSecretRef\":{\"name\":\"jupyter-other\"}}}",
                "{\"spec\":{\"properties\":{\"example.org/budget\":\"x\"}}}",
                "{\"spec\":{\"suspended\":false,\"variables\":{\"user\":\"grace\"}}}")) {
            assertThatThrownBy(() -> patch(forbidden))
                    .as(forbidden)
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                        assertThat(e.getCode()).isEqualTo(403);
                        assertThat(e.getMessage()).contains("may change only spec.suspended");
                    });
        }
        assertThatThrownBy(() -> patch("{\"metadata\":{\"labels\":{\"team\":\"x\"}}}"))
                .isInstanceOfSatisfying(
                        KubernetesClientException.class,
                        e -> assertThat(e.getMessage()).contains("may not change the labels or annotations"));
        assertThatThrownBy(() -> hub.resources(JupyterNotebookInstance.class)
                        .inNamespace(ns)
                        .withName("jupyter-ada")
                        .subresource("status")
                        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":{\"suspension\":null}}"))
                .as("status is the operator's")
                .isInstanceOfSatisfying(
                        KubernetesClientException.class,
                        e -> assertThat(e.getCode()).isEqualTo(403));
        JupyterNotebookInstance unchanged = get("jupyter-ada");
        assertThat(unchanged.getSpec().getVariables()).containsEntry("user", "ada");
        assertThat(unchanged.getStatus().getPhase()).isEqualTo(Phase.SUSPENDED);

        patch("{\"spec\":{\"suspended\":false}}");
        awaitPhase("jupyter-ada", Phase.READY);
        assertThat(admin.pods().inNamespace(ns).withName("nb-ada").get()).isNotNull();
    }

    @Test
    void aLimitThatDeletesNeedsNothingButTheChartsRights() {
        admin.resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName("probe-token")
                        .withNamespace(ns)
                        .endMetadata()
                        .addToStringData("token", "t")
                        .build())
                .create();
        admin.resource(template("limited", """
                        lifecycle:
                          maxAgeSeconds: 60
                          onLimit: Delete
                          activityProbe:
                            intervalSeconds: 10
                            tokenSecretRef: {name: probe-token}
                        """)).create();
        spawn("jupyter-grace", "limited", "grace");
        awaitPhase("jupyter-grace", Phase.READY);
        JupyterNotebookInstance probed = awaitStatus(
                "jupyter-grace",
                s -> s.getConditions().stream()
                        .anyMatch(c -> c.getType().equals("ActivityKnown")
                                && c.getStatus().equals("False")),
                WAIT);
        assertThat(reason(probed, "ActivityKnown"))
                .as("the token was read (nothing answers on the pod's address)")
                .isEqualTo("ProbeUnreachable");

        await("the operator deleted the instance")
                .atMost(Duration.ofSeconds(150))
                .until(() -> get("jupyter-grace") == null);
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(events("jupyter-grace")).anySatisfy(e -> {
                    assertThat(e.getType() + "/" + e.getReason() + "/" + e.getAction())
                            .isEqualTo("Normal/MaxAgeExceeded/Delete");
                    assertThat(e.getNote()).contains("maxAgeSeconds 60", "the instance is deleted");
                }));
    }

    // ---------------------------------------------------------------------------------------------- helpers

    private static void patch(String mergePatch) {
        hub.resources(JupyterNotebookInstance.class)
                .inNamespace(ns)
                .withName("jupyter-ada")
                .patch(PatchContext.of(PatchType.JSON_MERGE), mergePatch);
    }

    private static void spawn(String name, String template, String user) {
        hub.secrets()
                .inNamespace(ns)
                .resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .addToLabels("app.kubernetes.io/managed-by", "notebookinstance-spawner")
                        .addToLabels("kubespawner.jupyterhub.org/instance", name)
                        .endMetadata()
                        .withType("Opaque")
                        .addToStringData("JUPYTERHUB_API_TOKEN", "token-of-" + name)
                        .build())
                .create();
        hub.resource(Serialization.unmarshal(
                        """
                        apiVersion: kubespawner.jupyterhub.org/v1
                        kind: JupyterNotebookInstance
                        metadata: {name: %s, namespace: %s}
                        spec:
                          template: {name: %s}
                          user: {name: %s, groups: []}
                          variables: {user: %s}
                          envSecretRef: {name: %s}
                        """.formatted(name, ns, template, user, user, name), JupyterNotebookInstance.class))
                .create();
    }

    private static JupyterNotebookInstanceTemplate template(String name, String policyExtra) {
        return Serialization.unmarshal(
                """
                apiVersion: kubespawner.jupyterhub.org/v1
                kind: JupyterNotebookInstanceTemplate
                metadata: {name: %s, namespace: %s}
                spec:
                  variables:
                  - {name: user, required: true, pattern: '[a-z0-9]+'}
                  pods:
                  - name: nb-{user}
                    spec:
                      containers:
                      - {name: notebook, image: 'quay.io/jupyter/base-notebook:2025-03-14'}
                  policy:
                    allowedImages: [quay.io/jupyter/*]
                %s
                """.formatted(name, ns, policyExtra.indent(4)), JupyterNotebookInstanceTemplate.class);
    }

    private static JupyterNotebookInstance get(String name) {
        return admin.resources(JupyterNotebookInstance.class)
                .inNamespace(ns)
                .withName(name)
                .get();
    }

    private static JupyterNotebookInstance awaitPhase(String name, Phase phase) {
        return awaitStatus(name, s -> s.getPhase() == phase, WAIT);
    }

    private static JupyterNotebookInstance awaitStatus(
            String name, Predicate<JupyterNotebookInstanceStatus> until, Duration atMost) {
        await("instance " + name)
                .atMost(atMost)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    JupyterNotebookInstance i = get(name);
                    return i != null && i.getStatus() != null && until.test(i.getStatus());
                });
        return get(name);
    }

    private static String reason(JupyterNotebookInstance i, String type) {
        return i.getStatus().getConditions().stream()
                .filter(c -> type.equals(c.getType()))
                .map(c -> c.getReason())
                .findFirst()
                .orElse(null);
    }

    private static List<Event> events(String instance) {
        return admin.events().v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> e.getRegarding() != null
                        && instance.equals(e.getRegarding().getName()))
                .toList();
    }
}
