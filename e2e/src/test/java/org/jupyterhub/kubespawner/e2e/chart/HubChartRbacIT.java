package org.jupyterhub.kubespawner.e2e.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.jupyterhub.kubespawner.e2e.ControlPlane;
import org.jupyterhub.kubespawner.e2e.HelmRelease;

/**
 * The chart installed with helm on the real control plane; then, with TokenRequest tokens of the chart's own
 * ServiceAccounts: the hub may create and delete instances and nothing it could run a workload or read a Secret
 * with; the operator has exactly its rules; the admission policy admits the spawner's Secrets and rejects the rest.
 * Both permission matrices are printed.
 */
class HubChartRbacIT {

    @RegisterExtension
    static final ControlPlane cluster = ControlPlane.perClass();

    private static final String GROUP_VERSION = "kubespawner.jupyterhub.org/v1";
    private static final String SPAWNER = "notebookinstance-spawner";
    private static HelmRelease release;
    private static KubernetesClient hub;
    private static KubernetesClient operator;
    private static String ns;

    @BeforeAll
    static void install() {
        cluster.applyCrds();
        ns = cluster.namespace();
        // Two replicas, so the leader-election Role is rendered and checked too.
        release = HelmRelease.install(cluster, "jno", ns, "operator.replicas=2");
        hub = cluster.clientFor(ns, "hub");
        operator = cluster.clientFor(ns, release.fullname());
        awaitPolicyActive();
    }

    @AfterAll
    static void uninstall() {
        if (release != null) {
            release.close();
            assertThat(cluster.admin()
                            .admissionRegistration()
                            .v1()
                            .validatingAdmissionPolicies()
                            .withName(release.admissionPolicy())
                            .get())
                    .as("cluster-scoped policy removed by helm uninstall")
                    .isNull();
        }
    }

    // ------------------------------------------------------------------------------------------- the matrices

    @Test
    void hubHasExactlyTheSpawnersPermissions() {
        PermissionMatrix matrix = PermissionMatrix.ask(hub, "system:serviceaccount:" + ns + ":hub", ns, List.of());
        System.out.println(matrix.table());
        assertThat(matrix.allowed())
                .containsExactlyInAnyOrderElementsOf(ExpectedPermissions.expand(ExpectedPermissions.HUB));

        PermissionMatrix elsewhere = PermissionMatrix.ask(hub, "the hub", "default", List.of());
        assertThat(elsewhere.allowed()).as("the hub outside its namespace").isEmpty();
    }

    @Test
    void operatorHasExactlyItsRules() {
        String lease = "jno-jupyter-notebook-operator";
        String quota = "jno-jupyter-notebook-operator-instances";
        PermissionMatrix matrix = PermissionMatrix.ask(
                operator,
                "system:serviceaccount:" + ns + ":" + release.fullname(),
                ns,
                List.of(
                        Permission.of("get", "leases.coordination.k8s.io/name=" + lease),
                        Permission.of("update", "leases.coordination.k8s.io/name=" + lease),
                        Permission.of("patch", "leases.coordination.k8s.io/name=" + lease),
                        Permission.of("delete", "leases.coordination.k8s.io/name=" + lease),
                        Permission.of("get", "leases.coordination.k8s.io/name=another-controllers-lease"),
                        Permission.of("patch", "leases.coordination.k8s.io/name=another-controllers-lease"),
                        // the chart's instance quota, to get it counted after a fresh install; no other quota
                        Permission.of("get", "resourcequotas/name=" + quota),
                        Permission.of("patch", "resourcequotas/name=" + quota),
                        Permission.of("update", "resourcequotas/name=" + quota),
                        Permission.of("delete", "resourcequotas/name=" + quota),
                        Permission.of("get", "resourcequotas/name=an-admins-quota"),
                        Permission.of("patch", "resourcequotas/name=an-admins-quota")));
        System.out.println(matrix.table());
        Set<String> expected = ExpectedPermissions.expand(ExpectedPermissions.OPERATOR);
        expected.add("create leases.coordination.k8s.io");
        expected.add("get leases.coordination.k8s.io (name " + lease + ")");
        expected.add("update leases.coordination.k8s.io (name " + lease + ")");
        expected.add("patch leases.coordination.k8s.io (name " + lease + ")");
        expected.add("get resourcequotas (name " + quota + ")");
        expected.add("patch resourcequotas (name " + quota + ")");
        assertThat(matrix.allowed()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(matrix.allowed())
                .as("of Secrets, the operator may only get one by name (it reads their metadata only)")
                .filteredOn(p -> p.contains("secrets"))
                .containsExactly("get secrets");

        assertThat(PermissionMatrix.ask(operator, "the operator", "default", List.of())
                        .allowed())
                .as("the operator outside its watched namespaces")
                .isEmpty();
    }

    // ------------------------------------------------------------------------------- the hub, for real requests

    @Test
    void hubCanCreateAndDeleteInstancesButNoWorkloads() {
        MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>>
                instances = hub.genericKubernetesResources(GROUP_VERSION, "JupyterNotebookInstance");
        GenericKubernetesResource created = instances
                .inNamespace(ns)
                .resource(instance("jupyter-grace", "jupyter-grace"))
                .create();
        assertThat(created.getMetadata().getUid()).isNotBlank();
        assertThat(instances.inNamespace(ns).list().getItems())
                .extracting(i -> i.getMetadata().getName())
                .contains("jupyter-grace");
        assertThat(instances.inNamespace(ns).withName("jupyter-grace").delete()).isNotEmpty();

        assertForbidden(() -> hub.pods()
                .inNamespace(ns)
                .resource(new PodBuilder()
                        .withNewMetadata()
                        .withName("miner")
                        .endMetadata()
                        .withNewSpec()
                        .addNewContainer()
                        .withName("c")
                        .withImage("evil/miner")
                        .endContainer()
                        .endSpec()
                        .build())
                .create());
        assertForbidden(() -> hub.pods().inNamespace(ns).list());
        assertThat(execStatus(hub, ns, "jupyter-grace")).as("pods/exec").isEqualTo(403);
        assertForbidden(() -> hub.genericKubernetesResources(GROUP_VERSION, "JupyterNotebookInstanceTemplate")
                .inNamespace(ns)
                .withName("z2jh-default")
                .edit(t -> {
                    t.setAdditionalProperty("spec", Map.of("pods", List.of()));
                    return t;
                }));
        assertForbidden(() -> hub.genericKubernetesResources(GROUP_VERSION, "JupyterNotebookInstanceTemplate")
                .inNamespace(ns)
                .withName("z2jh-default")
                .delete());
        assertThat(hub.genericKubernetesResources(GROUP_VERSION, "JupyterNotebookInstanceTemplate")
                        .inNamespace(ns)
                        .withName("z2jh-default")
                        .get())
                .as("templates are readable (the options form)")
                .isNotNull();
        assertForbidden(() -> hub.secrets().inNamespace(ns).list());
        assertForbidden(() -> hub.secrets().inNamespace(ns).withName("anything").get());
        assertForbidden(() -> hub.rbac()
                .roleBindings()
                .inNamespace(ns)
                .resource(new RoleBindingBuilder()
                        .withNewMetadata()
                        .withName("hub-is-admin")
                        .endMetadata()
                        .withNewRoleRef()
                        .withApiGroup("rbac.authorization.k8s.io")
                        .withKind("ClusterRole")
                        .withName("admin")
                        .endRoleRef()
                        .addNewSubject()
                        .withKind("ServiceAccount")
                        .withName("hub")
                        .withNamespace(ns)
                        .endSubject()
                        .build())
                .create());
        assertForbidden(() -> hub.serviceAccounts()
                .inNamespace(ns)
                .withName(release.fullname())
                .tokenRequest(new TokenRequestBuilder().withNewSpec().endSpec().build()));
        assertForbidden(() -> hub.genericKubernetesResources(GROUP_VERSION, "JupyterNotebookInstance")
                .inNamespace("default")
                .resource(instance("jupyter-grace", "jupyter-grace"))
                .create());
    }

    // ------------------------------------------------------------------------------------- the admission policy

    @Test
    void policyAdmitsTheSpawnersSecretsThroughTheirWholeLife() {
        Secret secret = spawnerSecret("jupyter-ada", Map.of("JUPYTERHUB_API_TOKEN", "t1", "JPY_API_TOKEN", "t1"));
        hub.secrets().inNamespace(ns).resource(secret).create();
        // A later start meets the stale Secret (409) and, as the spawner does, deletes it and creates it anew.
        KubernetesClientException conflict = catchThrowableOfType(
                KubernetesClientException.class,
                () -> hub.secrets().inNamespace(ns).resource(secret).create());
        assertThat(conflict.getCode()).isEqualTo(409);
        assertThat(hub.secrets().inNamespace(ns).withName("jupyter-ada").delete())
                .isNotEmpty();
        secret.setStringData(Map.of("JUPYTERHUB_API_TOKEN", "t2", "JPY_API_TOKEN", "t2"));
        await().atMost(Duration.ofSeconds(10))
                .ignoreExceptions()
                .until(() -> hub.secrets().inNamespace(ns).resource(secret).create() != null);
        assertThat(cluster.admin()
                        .secrets()
                        .inNamespace(ns)
                        .withName("jupyter-ada")
                        .get()
                        .getData())
                .containsOnlyKeys("JUPYTERHUB_API_TOKEN", "JPY_API_TOKEN");
        // Never an update: not even of its own Secret (RBAC; the policy would check the label too).
        assertThat(replaceSecret(hub, secret).code()).isEqualTo(403);
        assertThat(hub.secrets().inNamespace(ns).withName("jupyter-ada").delete())
                .isNotEmpty();
    }

    @Test
    void policyRejectsEverySecretTheSpawnerWouldNotWrite() {
        // Named off the prefix: e.g. the hub's own Secret of Zero-to-JupyterHub.
        assertDenied(
                () -> hub.secrets()
                        .inNamespace(ns)
                        .resource(spawnerSecret("hub", Map.of()))
                        .create(),
                "the hub may only create, update or delete Secrets named jupyter-*, not \"hub\"");
        // Without the spawner's label.
        Secret unlabelled = spawnerSecret("jupyter-unlabelled", Map.of("JUPYTERHUB_API_TOKEN", "t"));
        unlabelled.getMetadata().setLabels(Map.of());
        assertDenied(
                () -> hub.secrets().inNamespace(ns).resource(unlabelled).create(),
                "must carry the label app.kubernetes.io/managed-by=" + SPAWNER);
        // A token for another ServiceAccount, minted by the token controller: the classic escalation.
        Secret token = spawnerSecret("jupyter-steal-operator-token", Map.of());
        token.setType("kubernetes.io/service-account-token");
        token.getMetadata().setAnnotations(Map.of("kubernetes.io/service-account.name", release.fullname()));
        assertDenied(
                () -> hub.secrets().inNamespace(ns).resource(token).create(),
                "the hub may only write Secrets of type Opaque");
        Secret pull = spawnerSecret("jupyter-pull", Map.of(".dockerconfigjson", "{\"auths\":{}}"));
        pull.setType("kubernetes.io/dockerconfigjson");
        assertDenied(
                () -> hub.secrets().inNamespace(ns).resource(pull).create(),
                "the hub may only write Secrets of type Opaque");
        // Keys the hub's environment does not have.
        assertDenied(
                () -> hub.secrets()
                        .inNamespace(ns)
                        .resource(spawnerSecret(
                                "jupyter-keys", Map.of("JUPYTERHUB_API_TOKEN", "t", "AWS_SECRET_ACCESS_KEY", "x")))
                        .create(),
                "these do not: AWS_SECRET_ACCESS_KEY");

        // Secrets of others, even on the prefix: neither taken over nor deleted.
        cluster.admin()
                .secrets()
                .inNamespace(ns)
                .resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName("jupyter-admins-db-password")
                        .endMetadata()
                        .addToStringData("PASSWORD", "s3cret")
                        .build())
                .create();
        Secret takeover = spawnerSecret("jupyter-admins-db-password", Map.of("JUPYTERHUB_API_TOKEN", "t"));
        HttpResponse<String> denied = replaceSecret(hub, takeover);
        assertThat(denied.code()).isEqualTo(403);
        assertThat(denied.body()).contains("cannot update resource");
        assertDenied(
                () -> hub.secrets()
                        .inNamespace(ns)
                        .withName("jupyter-admins-db-password")
                        .delete(),
                "the hub may only update or delete Secrets it created");
        cluster.admin()
                .secrets()
                .inNamespace(ns)
                .resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName("hub")
                        .endMetadata()
                        .addToStringData("hub.config.CryptKeeper.keys", "k")
                        .build())
                .create();
        assertDenied(() -> hub.secrets().inNamespace(ns).withName("hub").delete(), "not \"hub\"");
        assertThat(cluster.admin()
                        .secrets()
                        .inNamespace(ns)
                        .withName("jupyter-admins-db-password")
                        .get()
                        .getData())
                .containsOnlyKeys("PASSWORD");

        // The policy is about the hub only: the administrator writes any Secret.
        assertThatCode(() -> cluster.admin()
                        .secrets()
                        .inNamespace(ns)
                        .resource(new SecretBuilder()
                                .withNewMetadata()
                                .withName("unrelated")
                                .endMetadata()
                                .addToStringData("k", "v")
                                .build())
                        .create())
                .doesNotThrowAnyException();
    }

    @Test
    void policyRejectsInstancesThatWouldMountSomeoneElsesSecret() {
        var instances = hub.genericKubernetesResources(GROUP_VERSION, "JupyterNotebookInstance")
                .inNamespace(ns);
        assertDenied(
                () -> instances.resource(instance("jupyter-mallory", "hub")).create(),
                "an instance created by the hub may only reference a Secret named jupyter-*, not \"hub\"");
        GenericKubernetesResource ok =
                instances.resource(instance("jupyter-alice", "jupyter-alice")).create();
        assertThat(ok.getMetadata().getName()).isEqualTo("jupyter-alice");
        GenericKubernetesResource noSecret = instance("jupyter-nosecret", null);
        assertThat(instances.resource(noSecret).create().getMetadata().getUid()).isNotBlank();
    }

    // ------------------------------------------------------------------------------------------------- helpers

    /** Waits until the policy binding is in force (the API server loads new policies within about a second). */
    private static void awaitPolicyActive() {
        await("the admission policy in force")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(300))
                .until(() -> {
                    try {
                        hub.secrets()
                                .inNamespace(ns)
                                .resource(spawnerSecret("not-prefixed-probe", Map.of()))
                                .create();
                        cluster.admin()
                                .secrets()
                                .inNamespace(ns)
                                .withName("not-prefixed-probe")
                                .delete();
                        return false;
                    } catch (KubernetesClientException e) {
                        return e.getMessage().contains("the hub may only");
                    }
                });
    }

    private static Secret spawnerSecret(String name, Map<String, String> data) {
        return new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(ns)
                .addToLabels("app.kubernetes.io/managed-by", SPAWNER)
                .addToLabels("hub.jupyter.org/username", "ada")
                .addToAnnotations("hub.jupyter.org/username", "ada")
                .endMetadata()
                .withType("Opaque")
                .withStringData(data)
                .build();
    }

    private static GenericKubernetesResource instance(String name, String secret) {
        String yaml = """
        apiVersion: kubespawner.jupyterhub.org/v1
        kind: JupyterNotebookInstance
        metadata:
          name: %s
          labels:
            app.kubernetes.io/managed-by: notebookinstance-spawner
        spec:
          template:
            name: z2jh-default
          user:
            name: %s
            groups: []
          variables:
            username: %s
          env:
            JUPYTERHUB_USER: %s
        """.formatted(name, name, name, name)
                + (secret == null ? "" : "  envSecretRef:\n    name: " + secret + "\n");
        GenericKubernetesResource r = Serialization.unmarshal(yaml, GenericKubernetesResource.class);
        r.getMetadata().setNamespace(ns);
        return r;
    }

    /** An unconditional replace (PUT without resourceVersion): fabric8's update() would GET first. */
    private static HttpResponse<String> replaceSecret(KubernetesClient client, Secret secret) {
        String url = client.getMasterUrl().toString().replaceAll("/$", "") + "/api/v1/namespaces/" + ns + "/secrets/"
                + secret.getMetadata().getName();
        return send(
                client,
                client.getHttpClient()
                        .newHttpRequestBuilder()
                        .uri(url)
                        .put("application/json", Serialization.asJson(secret))
                        .build());
    }

    private static HttpResponse<String> send(KubernetesClient client, HttpRequest request) {
        try {
            return client.getHttpClient().sendAsync(request, String.class).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The HTTP status of a pods/exec request (authorization comes before the upgrade and the pod lookup). */
    private static int execStatus(KubernetesClient client, String namespace, String pod) {
        String url = client.getMasterUrl().toString().replaceAll("/$", "") + "/api/v1/namespaces/" + namespace
                + "/pods/" + pod + "/exec?command=id&stdout=true";
        return send(
                        client,
                        client.getHttpClient()
                                .newHttpRequestBuilder()
                                .uri(url)
                                .post("application/json", "")
                                .build())
                .code();
    }

    private static void assertForbidden(ThrowingCallable call) {
        KubernetesClientException e = catchThrowableOfType(KubernetesClientException.class, call);
        assertThat(e).as("expected 403 Forbidden from RBAC").isNotNull();
        assertThat(e.getCode()).as(e.getMessage()).isEqualTo(403);
    }

    private static void assertDenied(ThrowingCallable call, String messagePart) {
        KubernetesClientException e = catchThrowableOfType(KubernetesClientException.class, call);
        assertThat(e)
                .as("expected the admission policy to deny (%s)", messagePart)
                .isNotNull();
        assertThat(e.getMessage()).contains("ValidatingAdmissionPolicy").contains(messagePart);
    }
}
