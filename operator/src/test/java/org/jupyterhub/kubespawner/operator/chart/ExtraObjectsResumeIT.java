package org.jupyterhub.kubespawner.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
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
 * Suspend and resume of a server with an extra object (a ConfigMap; the chart allowlists it), with the operator
 * holding nothing but the release's RBAC: suspension deletes the pod and keeps the ConfigMap; after the template
 * moved on, a {@code SameGeneration} resume starts the pod of the kept rendering and recreates a ConfigMap deleted
 * meanwhile from that rendering, a {@code CurrentGeneration} resume starts the pod of the template as it is now.
 */
class ExtraObjectsResumeIT {

    @RegisterExtension
    static final ControlPlane cluster = ControlPlane.perClass();

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static HelmRelease release;
    private static NotebookOperator operator;
    private static String ns;
    private static KubernetesClient admin;

    @BeforeAll
    static void installWithConfigMapsAllowlisted() {
        cluster.applyCrds();
        admin = cluster.admin();
        ns = cluster.namespace();
        release = HelmRelease.install(
                cluster,
                "jno",
                ns,
                "operator.extraObjects.kinds[0].apiVersion=v1",
                "operator.extraObjects.kinds[0].kind=ConfigMap");
        operator = ReleaseOperator.start(cluster, release, ns, Map.of("JNO_EXTRA_KINDS", "v1/ConfigMap"));
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
    void aSameGenerationResumeStartsTheKeptRenderingWithItsConfigMap() {
        admin.resource(template("same", "SameGeneration", "one")).create();
        spawnAndSuspend("ada", "same");
        ConfigMap kept = configMap("ada");
        assertThat(kept.getData()).containsEntry("version", "one");
        JupyterNotebookInstance suspended = get("ada");
        assertThat(suspended.getStatus().getSuspension().getRendering().getObjects())
                .extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
                .containsExactly("ConfigMap/settings-ada", "Pod/nb-ada");

        changeTemplate("same", "SameGeneration", "two");
        // Deleted while suspended (by an admin, say): the resume must make it again, as the kept rendering says.
        admin.configMaps().inNamespace(ns).withName("settings-ada").delete();
        await("ConfigMap gone").atMost(WAIT).until(() -> configMap("ada") == null);

        resume("ada");
        JupyterNotebookInstance resumed = awaitStatus("ada", s -> s.getPhase() == Phase.READY);
        assertThat(pod("ada").getMetadata().getLabels())
                .as("the pod of the kept rendering")
                .containsEntry("release", "one");
        ConfigMap again = configMap("ada");
        assertThat(again.getData()).as("the ConfigMap of the kept rendering").containsEntry("version", "one");
        assertThat(again.getMetadata().getUid()).isNotEqualTo(kept.getMetadata().getUid());
        assertThat(again.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(o ->
                        assertThat(o.getUid()).isEqualTo(resumed.getMetadata().getUid()));
        assertThat(condition(resumed, "UpToDate")).isEqualTo("False/TemplateChanged");
        assertThat(resumed.getStatus().getResources())
                .extracting(r -> r.getKind() + "/" + r.getName() + "=" + r.getState())
                .containsExactly("ConfigMap/settings-ada=Created", "Pod/nb-ada=Ready");
    }

    @Test
    void aCurrentGenerationResumeStartsThePodOfTheTemplateAsItIsNow() {
        admin.resource(template("current", "CurrentGeneration", "one")).create();
        spawnAndSuspend("bob", "current");
        ConfigMap kept = configMap("bob");

        changeTemplate("current", "CurrentGeneration", "two");
        resume("bob");
        JupyterNotebookInstance resumed = awaitStatus("bob", s -> s.getPhase() == Phase.READY);
        assertThat(pod("bob").getMetadata().getLabels()).containsEntry("release", "two");
        assertThat(condition(resumed, "UpToDate")).isEqualTo("True/TemplateUnchanged");
        ConfigMap after = configMap("bob");
        // Extra objects are kept through a suspension and used again as they are, like claims: the operator may
        // only get and create allowlisted kinds, so it does not rewrite the kept ConfigMap.
        assertThat(after.getMetadata().getUid()).isEqualTo(kept.getMetadata().getUid());
        assertThat(after.getData()).containsEntry("version", "one");
    }

    private static void spawnAndSuspend(String user, String template) {
        admin.resource(org.jupyterhub.kubespawner.operator.it.Fixtures.instance(
                        ns, user, template, "user: " + user, null))
                .create();
        awaitStatus(user, s -> s.getPhase() == Phase.READY);
        String uid = configMap(user).getMetadata().getUid();
        admin.resources(JupyterNotebookInstance.class)
                .inNamespace(ns)
                .withName(user)
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"suspended\":true}}");
        awaitStatus(user, s -> s.getPhase() == Phase.SUSPENDED);
        await("pod gone").atMost(WAIT).until(() -> pod(user) == null);
        assertThat(configMap(user).getMetadata().getUid())
                .as("suspension keeps the extra object")
                .isEqualTo(uid);
    }

    private static void resume(String user) {
        admin.resources(JupyterNotebookInstance.class)
                .inNamespace(ns)
                .withName(user)
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"suspended\":false}}");
    }

    private static void changeTemplate(String name, String resume, String version) {
        JupyterNotebookInstanceTemplate now = admin.resources(JupyterNotebookInstanceTemplate.class)
                .inNamespace(ns)
                .withName(name)
                .get();
        JupyterNotebookInstanceTemplate next = template(name, resume, version);
        next.getMetadata().setResourceVersion(now.getMetadata().getResourceVersion());
        admin.resource(next).update();
        await("template " + name + " at a new generation")
                .atMost(WAIT)
                .until(() -> admin.resources(JupyterNotebookInstanceTemplate.class)
                                .inNamespace(ns)
                                .withName(name)
                                .get()
                                .getMetadata()
                                .getGeneration()
                        > now.getMetadata().getGeneration());
    }

    private static JupyterNotebookInstanceTemplate template(String name, String resume, String version) {
        return Serialization.unmarshal(
                """
                apiVersion: kubespawner.jupyterhub.org/v1
                kind: JupyterNotebookInstanceTemplate
                metadata: {name: %s, namespace: %s}
                spec:
                  variables:
                  - {name: user, required: true, pattern: '[a-z0-9]+'}
                  extraObjects:
                  - {apiVersion: v1, kind: ConfigMap, name: 'settings-{user}', data: {version: '%s'}}
                  pods:
                  - name: nb-{user}
                    labels: {release: '%s'}
                    spec:
                      containers:
                      - {name: notebook, image: 'quay.io/jupyter/base-notebook:2025-03-14'}
                  policy:
                    allowedImages: [quay.io/jupyter/*]
                    lifecycle: {resume: %s}
                """.formatted(name, ns, version, version, resume), JupyterNotebookInstanceTemplate.class);
    }

    private static ConfigMap configMap(String user) {
        return admin.configMaps().inNamespace(ns).withName("settings-" + user).get();
    }

    private static Pod pod(String user) {
        return admin.pods().inNamespace(ns).withName("nb-" + user).get();
    }

    private static String condition(JupyterNotebookInstance i, String type) {
        return i.getStatus().getConditions().stream()
                .filter(c -> c.getType().equals(type))
                .map(c -> c.getStatus() + "/" + c.getReason())
                .findFirst()
                .orElse(null);
    }

    private static JupyterNotebookInstance get(String name) {
        return admin.resources(JupyterNotebookInstance.class)
                .inNamespace(ns)
                .withName(name)
                .get();
    }

    private static JupyterNotebookInstance awaitStatus(String name, Predicate<JupyterNotebookInstanceStatus> until) {
        await("instance " + name)
                .atMost(WAIT)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    JupyterNotebookInstance i = get(name);
                    return i != null && i.getStatus() != null && until.test(i.getStatus());
                });
        return get(name);
    }
}
