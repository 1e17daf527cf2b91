package org.jupyterhub.kubespawner.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.jupyterhub.kubespawner.e2e.ControlPlane;
import org.jupyterhub.kubespawner.e2e.HelmRelease;
import org.jupyterhub.kubespawner.operator.it.Fixtures;
import org.jupyterhub.kubespawner.operator.runtime.NotebookOperator;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus.Phase;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;

/**
 * The threat model of docs/security.md, line by line, on the real control plane: the chart is installed, the hub acts
 * with its own ServiceAccount token, the operators with their releases' ServiceAccount tokens. A hub that names other
 * users' objects through an instance's values gets a Failed instance with reason NameConflict (or SecretRejected) and
 * a Warning Event, and the victim's objects stay byte for byte as they were (same resourceVersion).
 *
 * <p>Two releases: {@code ns} with the admission policy (and an instance quota of {@link #QUOTA}), {@code open}
 * without it, to prove the operator's own Secret check.
 */
class IsolationIT {

    @RegisterExtension
    static final ControlPlane cluster = ControlPlane.perClass();

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int QUOTA = 6;
    private static final int MAX_SPAWNS = 2;
    private static final List<HelmRelease> releases = new ArrayList<>();
    private static final List<NotebookOperator> operators = new ArrayList<>();
    private static String ns;
    private static String open;
    private static KubernetesClient admin;
    private static KubernetesClient hub;
    private static KubernetesClient openHub;

    @BeforeAll
    static void installTwoReleasesAndTheirOperators() {
        cluster.applyCrds();
        admin = cluster.admin();
        ns = cluster.namespace();
        open = ns + "-open";
        admin.resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(open)
                        .endMetadata()
                        .build())
                .create();
        releases.add(HelmRelease.install(cluster, "jno", ns, "hub.instanceQuota=" + QUOTA));
        releases.add(HelmRelease.install(cluster, "open", open, "hub.admissionPolicy.enabled=false"));
        Map<String, String> spawnLimit = Map.of("JNO_MAX_CONCURRENT_SPAWNS", String.valueOf(MAX_SPAWNS));
        operators.add(ReleaseOperator.start(cluster, releases.get(0), ns, spawnLimit));
        operators.add(ReleaseOperator.start(cluster, releases.get(1), open, spawnLimit));
        hub = cluster.clientFor(ns, "hub");
        openHub = cluster.clientFor(open, "hub");
        admin.resource(template(ns, "pod-only", "")).create();
    }

    @AfterEach
    void deleteInstancesAndHubSecrets() {
        for (String namespace : List.of(ns, open)) {
            var instances = admin.resources(JupyterNotebookInstance.class).inNamespace(namespace);
            instances.delete();
            await().atMost(WAIT).until(() -> instances.list().getItems().isEmpty());
            admin.secrets()
                    .inNamespace(namespace)
                    .withLabel("app.kubernetes.io/managed-by", "notebookinstance-spawner")
                    .delete();
        }
    }

    @AfterAll
    static void stop() {
        operators.forEach(NotebookOperator::close);
        admin.persistentVolumes().withLabel("jno-it", ns).delete();
        releases.forEach(HelmRelease::close);
        admin.namespaces().withName(open).delete();
    }

    // ------------------------------------------------------------------------------------------------ the tests

    @Test
    void aPodNamedForAnotherUserIsNeverReportedAsTheNewUsersServer() {
        spawn(hub, ns, "jupyter-ada", "pod-only", "user: ada");
        awaitPhase(ns, "jupyter-ada", Phase.READY);
        HasMetadata adasPod = admin.pods().inNamespace(ns).withName("nb-ada").get();

        spawn(hub, ns, "jupyter-mallory", "pod-only", "user: ada"); // values that render ada's pod name
        JupyterNotebookInstance mallory = awaitPhase(ns, "jupyter-mallory", Phase.FAILED);

        assertThat(reason(mallory)).isEqualTo("NameConflict");
        assertThat(mallory.getStatus().getMessage())
                .contains("Pod nb-ada", "JupyterNotebookInstance jupyter-ada")
                .contains(admin.resources(JupyterNotebookInstance.class)
                        .inNamespace(ns)
                        .withName("jupyter-ada")
                        .get()
                        .getMetadata()
                        .getUid());
        assertThat(mallory.getStatus().getPodIP()).isNull();
        assertThat(mallory.getStatus().getUrl()).isNull();
        awaitWarning(ns, "jupyter-mallory", "NameConflict");
        assertUnchanged(adasPod);
        assertThat(awaitPhase(ns, "jupyter-ada", Phase.READY).getStatus().getPodName())
                .isEqualTo("nb-ada");
    }

    @Test
    void anotherUsersRetainedHomeIsNeverMounted() {
        Fixtures.volumeFor(admin, ns, "claim-grace");
        spawn(hub, ns, "jupyter-grace", "z2jh-default", z2jh("grace", "Grace Hopper"));
        awaitPhase(ns, "jupyter-grace", Phase.READY);
        stop(hub, ns, "jupyter-grace");
        HasMetadata gracesHome = admin.persistentVolumeClaims()
                .inNamespace(ns)
                .withName("claim-grace")
                .get();
        assertThat(gracesHome).as("the claim is retained").isNotNull();

        spawn(hub, ns, "jupyter-mallory", "z2jh-default", z2jh("grace", "Mallory"));
        JupyterNotebookInstance mallory = awaitPhase(ns, "jupyter-mallory", Phase.FAILED);

        assertThat(reason(mallory)).isEqualTo("NameConflict");
        assertThat(mallory.getStatus().getMessage())
                .contains("PersistentVolumeClaim claim-grace", "instance jupyter-grace");
        awaitWarning(ns, "jupyter-mallory", "NameConflict");
        assertThat(admin.pods().inNamespace(ns).withName("jupyter-grace").get())
                .as("no pod mounts grace's home")
                .isNull();
        assertUnchanged(gracesHome);

        // Grace herself gets it back (same instance name, same identity).
        stop(hub, ns, "jupyter-mallory");
        spawn(hub, ns, "jupyter-grace", "z2jh-default", z2jh("grace", "Grace Hopper"));
        assertThat(awaitPhase(ns, "jupyter-grace", Phase.READY).getStatus().getResources())
                .filteredOn(r -> r.getKind().equals("PersistentVolumeClaim"))
                .singleElement()
                .satisfies(r -> assertThat(r.getMessage()).contains("already existed"));
        assertUnchanged(gracesHome);
    }

    @Test
    void anAdminsSharedClaimIsNeverTakenOver() {
        HasMetadata shared =
                admin.resource(claim(ns, "claim-shared", Map.of(), Map.of())).create();

        spawn(hub, ns, "jupyter-shared", "z2jh-default", z2jh("shared", "Someone"));
        JupyterNotebookInstance someone = awaitPhase(ns, "jupyter-shared", Phase.FAILED);

        assertThat(reason(someone)).isEqualTo("NameConflict");
        assertThat(someone.getStatus().getMessage()).contains("PersistentVolumeClaim claim-shared", "has no owner");
        awaitWarning(ns, "jupyter-shared", "NameConflict");
        assertUnchanged(shared);
    }

    @Test
    void aKubeSpawnerHomeIsAdoptedOnlyWhenTheTemplateOptsIn() {
        Fixtures.volumeFor(admin, ns, "claim-linus");
        HasMetadata kubeSpawners = admin.resource(claim(
                        ns,
                        "claim-linus",
                        Map.of(
                                "component", "singleuser-storage",
                                "app.kubernetes.io/managed-by", "kubespawner",
                                "hub.jupyter.org/username", "linus"),
                        Map.of("hub.jupyter.org/username", "Linus")))
                .create();
        // Bound by the PV controller first (a write of its own), then the claim must see no write from us.
        await("claim-linus bound")
                .atMost(WAIT)
                .until(() -> "Bound"
                        .equals(admin.persistentVolumeClaims()
                                .inNamespace(ns)
                                .withName("claim-linus")
                                .get()
                                .getStatus()
                                .getPhase()));
        kubeSpawners = admin.persistentVolumeClaims()
                .inNamespace(ns)
                .withName("claim-linus")
                .get();

        spawn(hub, ns, "jupyter-linus", "z2jh-default", z2jh("linus", "Linus"));
        JupyterNotebookInstance refused = awaitPhase(ns, "jupyter-linus", Phase.FAILED);
        assertThat(reason(refused)).isEqualTo("NameConflict");
        assertThat(refused.getStatus().getMessage()).contains("KubeSpawner", "adoptKubeSpawnerClaims");
        awaitWarning(ns, "jupyter-linus", "NameConflict");
        stop(hub, ns, "jupyter-linus");

        JupyterNotebookInstanceTemplate migrate = admin.resources(JupyterNotebookInstanceTemplate.class)
                .inNamespace(ns)
                .withName("z2jh-default")
                .get();
        migrate.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
                .withName("migrate")
                .withNamespace(ns)
                .build());
        migrate.setStatus(null);
        migrate.getSpec().getPolicy().setAdoptKubeSpawnerClaims(true);
        admin.resource(migrate).create();

        spawn(hub, ns, "jupyter-eve", "migrate", z2jh("linus", "Eve")); // another user under linus's slug
        assertThat(awaitPhase(ns, "jupyter-eve", Phase.FAILED).getStatus().getMessage())
                .contains("another user");
        stop(hub, ns, "jupyter-eve");

        spawn(hub, ns, "jupyter-linus", "migrate", z2jh("linus", "Linus"));
        awaitPhase(ns, "jupyter-linus", Phase.READY);
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(events(ns, "jupyter-linus"))
                        .anySatisfy(e ->
                                assertThat(e.getType() + "/" + e.getReason()).isEqualTo("Normal/ClaimAdopted")));
        assertUnchanged(kubeSpawners);
    }

    @Test
    void withoutTheAdmissionPolicyTheOperatorStillRefusesSecretsNotWrittenForTheInstance() {
        HasMetadata adminsSecret = admin.resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName("jupyter-dbcreds")
                        .withNamespace(open)
                        .endMetadata()
                        .addToStringData("PASSWORD", "hunter2")
                        .build())
                .create();
        openHub.resource(instance(open, "jupyter-dbcreds", "z2jh-default", z2jh("dbcreds", "Mallory")))
                .create();
        JupyterNotebookInstance refused = awaitPhase(open, "jupyter-dbcreds", Phase.FAILED);
        assertThat(reason(refused)).isEqualTo("SecretRejected");
        assertThat(refused.getStatus().getMessage())
                .contains("spec.envSecretRef.name: Secret jupyter-dbcreds", "app.kubernetes.io/managed-by")
                .doesNotContain("hunter2");
        awaitWarning(open, "jupyter-dbcreds", "SecretRejected");

        hubSecret(openHub, open, "jupyter-bob");
        JupyterNotebookInstance eve = instance(open, "jupyter-eve", "z2jh-default", z2jh("eve", "Eve"));
        eve.getSpec().getEnvSecretRef().setName("jupyter-bob"); // bob's token for eve's server
        openHub.resource(eve).create();
        assertThat(awaitPhase(open, "jupyter-eve", Phase.FAILED).getStatus().getMessage())
                .contains("written for instance jupyter-bob");

        assertThat(admin.pods().inNamespace(open).list().getItems())
                .as("no notebook pod was created with either Secret")
                .noneMatch(p -> p.getMetadata().getName().startsWith("jupyter-"));
        assertUnchanged(adminsSecret);
        // Where the policy is installed, it is the first line: the request never gets in.
        assertThatThrownBy(() -> hub.resource(instance(ns, "db-x", "z2jh-default", z2jh("x", "X")))
                        .create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(403);
                    assertThat(e.getMessage()).contains("may only reference a Secret named jupyter-*");
                });
    }

    @Test
    void aFloodStopsAtTheQuotaAndTheOperatorProvisionsAFewAtATime() {
        admin.resource(template(ns, "stuck", "nodeSelector: {jno-it/no-such-node: 'true'}"))
                .create();
        await("the quota counted").atMost(WAIT).until(() -> {
            ResourceQuota q = admin.resourceQuotas()
                    .inNamespace(ns)
                    .withName(releases.get(0).fullname() + "-instances")
                    .get();
            return q != null && q.getStatus() != null && q.getStatus().getUsed() != null;
        });
        for (int i = 0; i < QUOTA; i++) {
            spawn(hub, ns, "jupyter-flood-" + i, "stuck", "user: flood-" + i);
        }
        assertThatThrownBy(() -> spawn(hub, ns, "jupyter-flood-" + QUOTA, "stuck", "user: flood-" + QUOTA))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(403);
                    assertThat(e.getMessage()).contains("exceeded quota");
                });

        await("spawn slots").atMost(WAIT).untilAsserted(() -> {
            List<JupyterNotebookInstance> all = admin.resources(JupyterNotebookInstance.class)
                    .inNamespace(ns)
                    .list()
                    .getItems();
            assertThat(all).filteredOn(i -> phase(i) == Phase.PROVISIONING).hasSize(MAX_SPAWNS);
            assertThat(all).filteredOn(i -> "SpawnQueued".equals(reason(i))).hasSize(QUOTA - MAX_SPAWNS);
        });
        assertThat(admin.pods().inNamespace(ns).list().getItems())
                .filteredOn(p -> p.getMetadata().getName().startsWith("nb-flood"))
                .hasSize(MAX_SPAWNS);

        String provisioning = admin.resources(JupyterNotebookInstance.class).inNamespace(ns).list().getItems().stream()
                .filter(i -> phase(i) == Phase.PROVISIONING)
                .findFirst()
                .orElseThrow()
                .getMetadata()
                .getName();
        stop(hub, ns, provisioning);
        await("a queued spawn takes the freed slot")
                .atMost(WAIT)
                .untilAsserted(() -> assertThat(admin.resources(JupyterNotebookInstance.class)
                                .inNamespace(ns)
                                .list()
                                .getItems())
                        .filteredOn(i -> phase(i) == Phase.PROVISIONING)
                        .hasSize(MAX_SPAWNS));
    }

    @Test
    void theHubCannotHoldAnInstancesDeletionHostage() {
        JupyterNotebookInstance held = instance(ns, "jupyter-held", "pod-only", "user: held");
        held.getMetadata().setFinalizers(List.of("example.com/never"));
        assertThatThrownBy(() -> hub.resource(held).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(403);
                    assertThat(e.getMessage()).contains("may not set finalizers");
                });
        JupyterNotebookInstance owned = instance(ns, "jupyter-owned", "pod-only", "user: owned");
        owned.getMetadata()
                .setOwnerReferences(List.of(new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder()
                        .withApiVersion("v1")
                        .withKind("ConfigMap")
                        .withName("anything")
                        .withUid("00000000-0000-0000-0000-000000000000")
                        .build()));
        assertThatThrownBy(() -> hub.resource(owned).create())
                .isInstanceOfSatisfying(
                        KubernetesClientException.class,
                        e -> assertThat(e.getMessage()).contains("may not set owner references"));
        assertThat(admin.resources(JupyterNotebookInstance.class)
                        .inNamespace(ns)
                        .list()
                        .getItems())
                .isEmpty();
    }

    // ---------------------------------------------------------------------------------------------- helpers

    /** What the spawner does: the hub's Secret for the instance, then the instance. */
    private static void spawn(KubernetesClient as, String namespace, String name, String template, String vars) {
        hubSecret(as, namespace, name);
        as.resource(instance(namespace, name, template, vars)).create();
    }

    private static void hubSecret(KubernetesClient as, String namespace, String name) {
        as.secrets()
                .inNamespace(namespace)
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
    }

    private static void stop(KubernetesClient as, String namespace, String name) {
        as.resources(JupyterNotebookInstance.class)
                .inNamespace(namespace)
                .withName(name)
                .withPropagationPolicy(DeletionPropagation.FOREGROUND)
                .delete();
        await("instance " + name + " gone")
                .atMost(WAIT)
                .until(() -> admin.resources(JupyterNotebookInstance.class)
                                .inNamespace(namespace)
                                .withName(name)
                                .get()
                        == null);
        as.secrets().inNamespace(namespace).withName(name).delete(); // as the spawner's stop() does
    }

    private static String z2jh(String user, String unescaped) {
        // what the spawner sends to the example template, pvc_name (the home claim) and hub_namespace included
        return "username: %1$s\nunescaped_username: '%2$s'\nuser_server: %1$s\nuserid: '7'\npvc_name: claim-%1$s\nhub_namespace: jupyterhub"
                .formatted(user, unescaped);
    }

    private static JupyterNotebookInstance instance(String namespace, String name, String template, String vars) {
        JupyterNotebookInstance i = Serialization.unmarshal(
                """
                apiVersion: kubespawner.jupyterhub.org/v1
                kind: JupyterNotebookInstance
                metadata: {name: %s, namespace: %s}
                spec:
                  template: {name: %s}
                  user: {name: %s, groups: []}
                  variables:
                %s
                  envSecretRef: {name: %s}
                """.formatted(name, namespace, template, name, vars.indent(4), name), JupyterNotebookInstance.class);
        return i;
    }

    private static JupyterNotebookInstanceTemplate template(String namespace, String name, String podSpecExtra) {
        return Serialization.unmarshal(
                """
                apiVersion: kubespawner.jupyterhub.org/v1
                kind: JupyterNotebookInstanceTemplate
                metadata: {name: %s, namespace: %s}
                spec:
                  variables:
                  - {name: user, required: true, pattern: '[a-z0-9]([-a-z0-9]*[a-z0-9])?'}
                  pods:
                  - name: nb-{user}
                    spec:
                      %s
                      containers:
                      - {name: notebook, image: 'quay.io/jupyter/base-notebook:2025-03-14'}
                  policy:
                    allowedImages: [quay.io/jupyter/*]
                """.formatted(name, namespace, podSpecExtra), JupyterNotebookInstanceTemplate.class);
    }

    private static PersistentVolumeClaim claim(
            String namespace, String name, Map<String, String> labels, Map<String, String> annotations) {
        return new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .withLabels(labels)
                .withAnnotations(annotations)
                .endMetadata()
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .withNewResources()
                .addToRequests("storage", new Quantity("1Gi"))
                .endResources()
                .endSpec()
                .build();
    }

    private static JupyterNotebookInstance awaitPhase(String namespace, String name, Phase phase) {
        return awaitInstance(namespace, name, s -> s.getPhase() == phase);
    }

    private static JupyterNotebookInstance awaitInstance(
            String namespace, String name, Predicate<JupyterNotebookInstanceStatus> until) {
        await("instance " + name)
                .atMost(WAIT)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    JupyterNotebookInstance i = admin.resources(JupyterNotebookInstance.class)
                            .inNamespace(namespace)
                            .withName(name)
                            .get();
                    return i != null && i.getStatus() != null && until.test(i.getStatus());
                });
        return admin.resources(JupyterNotebookInstance.class)
                .inNamespace(namespace)
                .withName(name)
                .get();
    }

    private static Phase phase(JupyterNotebookInstance i) {
        return i.getStatus() == null ? null : i.getStatus().getPhase();
    }

    private static String reason(JupyterNotebookInstance i) {
        return i.getStatus() == null || i.getStatus().getConditions() == null
                ? null
                : i.getStatus().getConditions().stream()
                        .filter(c -> "Ready".equals(c.getType()))
                        .map(c -> c.getReason())
                        .findFirst()
                        .orElse(null);
    }

    private static List<Event> events(String namespace, String instance) {
        return admin.events().v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> e.getRegarding() != null
                        && instance.equals(e.getRegarding().getName()))
                .toList();
    }

    private static void awaitWarning(String namespace, String instance, String reason) {
        await("Warning " + reason + " about " + instance)
                .atMost(WAIT)
                .untilAsserted(() -> assertThat(events(namespace, instance))
                        .anySatisfy(e ->
                                assertThat(e.getType() + "/" + e.getReason()).isEqualTo("Warning/" + reason)));
    }

    /** The victim's object is exactly as it was: same uid, same resourceVersion (no write of any kind). */
    private static void assertUnchanged(HasMetadata before) {
        HasMetadata now = admin.resource(before).get();
        assertThat(now)
                .as(before.getKind() + " " + before.getMetadata().getName() + " still exists")
                .isNotNull();
        assertThat(now.getMetadata().getUid()).isEqualTo(before.getMetadata().getUid());
        assertThat(now.getMetadata().getResourceVersion())
                .as(before.getKind() + " " + before.getMetadata().getName() + " was not written")
                .isEqualTo(before.getMetadata().getResourceVersion());
    }
}
