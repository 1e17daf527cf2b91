package org.jupyterhub.kubespawner.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.jupyterhub.kubespawner.e2e.ControlPlane;
import org.jupyterhub.kubespawner.e2e.HelmRelease;
import org.jupyterhub.kubespawner.operator.it.Fixtures;
import org.jupyterhub.kubespawner.operator.runtime.NotebookOperator;
import org.jupyterhub.kubespawner.v1.JupyterNotebookAccess;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus.Phase;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;
import org.jupyterhub.kubespawner.v1.JupyterNotebookQuota;

/**
 * Access rules and quotas (issue 19) on the real control plane, with the chart installed and every spawn made by the
 * chart's hub identity (its ServiceAccount token, under the admission policy); the operator runs with the chart's
 * operator ServiceAccount token. Admin objects (templates, JupyterNotebookAccess, JupyterNotebookQuota) are written as
 * cluster admin, as an admin or an identity-sync job would.
 */
class AccessIT {

    @RegisterExtension
    static final ControlPlane cluster = ControlPlane.perClass();

    private static final Duration WAIT = Duration.ofSeconds(90);

    private static HelmRelease release;
    private static NotebookOperator operator;
    private static String ns;
    private static KubernetesClient admin;
    private static KubernetesClient hub;

    @BeforeAll
    static void installTheChartAndRunTheOperatorAsItsServiceAccount() {
        cluster.applyCrds();
        admin = cluster.admin();
        ns = cluster.namespace();
        // Without the chart's instance ResourceQuota (IsolationIT covers it): these tests are about the operator's
        // quotas, and the API server's "status unknown for quota" until the quota controller counts the new kind
        // would only add waiting.
        release = HelmRelease.install(cluster, "jno", ns, "hub.instanceQuota=0");
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

    @AfterEach
    void removeServersRulesAndQuotas() {
        admin.resources(JupyterNotebookQuota.class).inNamespace(ns).delete();
        admin.resources(JupyterNotebookAccess.class).inNamespace(ns).delete();
        admin.resources(JupyterNotebookInstanceTemplate.class)
                .inNamespace(ns)
                .withLabel("jno-it", "access")
                .delete();
        admin.resources(JupyterNotebookInstance.class)
                .inNamespace(ns)
                .withPropagationPolicy(DeletionPropagation.FOREGROUND)
                .delete();
        await("instances and templates gone")
                .atMost(WAIT)
                .until(() -> admin.resources(JupyterNotebookInstance.class)
                                .inNamespace(ns)
                                .list()
                                .getItems()
                                .isEmpty()
                        && admin.resources(JupyterNotebookInstanceTemplate.class)
                                .inNamespace(ns)
                                .withLabel("jno-it", "access")
                                .list()
                                .getItems()
                                .isEmpty());
    }

    // ------------------------------------------------------------------------------------------------ access

    @Test
    void theTemplatesOwnRuleAdmitsItsUserAndRefusesAnotherNamingTheRule() {
        admin.resource(template("by-user", "access: {users: [grace]}", "")).create();
        await("status.access published").atMost(WAIT).until(() -> published("by-user") != null);
        assertThat(published("by-user").getUsers()).containsExactly("grace");

        spawn("grace", "by-user", List.of());
        JupyterNotebookInstance grace = awaitPhase("grace", Phase.READY);
        assertThat(condition(grace, "AccessGranted"))
                .isEqualTo("True Granted")
                .as("granted by the template's own rule");

        spawn("bob", "by-user", List.of("staff"));
        JupyterNotebookInstance bob = awaitPhase("bob", Phase.FAILED);
        assertThat(condition(bob, "Ready")).isEqualTo("False AccessDenied");
        assertThat(bob.getStatus().getMessage())
                .contains("template " + ns + "/by-user", "user bob (groups staff)", "policy.access")
                .doesNotContain("grace")
                .as("a refused user does not learn who else has access");
        assertThat(admin.pods().inNamespace(ns).withName("nb-bob").get())
                .as("nothing created")
                .isNull();
        awaitWarning("jupyter-bob", "AccessDenied");
    }

    @Test
    void anAccessObjectGrantsAGroupAndTheHubCannotWriteOne() {
        admin.resource(template("by-group", "access: {}", "")).create();
        admin.resource(access("physics", "by-group", "groups: [physics]", "")).create();
        await("the group published")
                .atMost(WAIT)
                .until(() -> published("by-group") != null
                        && published("by-group").getGroups().contains("physics"));

        for (var write : List.<Runnable>of(
                () -> hub.resource(access("self-grant", "by-group", "users: [mallory]", ""))
                        .create(),
                () -> hub.resources(JupyterNotebookAccess.class)
                        .inNamespace(ns)
                        .withName("physics")
                        .delete(),
                () -> hub.resources(JupyterNotebookQuota.class)
                        .inNamespace(ns)
                        .resource(quota("mine", "servers: 1000", ""))
                        .create())) {
            assertThatThrownBy(write::run)
                    .isInstanceOfSatisfying(
                            KubernetesClientException.class,
                            e -> assertThat(e.getCode()).isEqualTo(403));
        }
        assertThat(hub.resources(JupyterNotebookAccess.class)
                        .inNamespace(ns)
                        .list()
                        .getItems())
                .as("the hub may read them")
                .extracting(a -> a.getMetadata().getName())
                .containsExactly("physics");

        spawn("curie", "by-group", List.of("chemistry", "physics"));
        assertThat(condition(awaitPhase("curie", Phase.READY), "AccessGranted")).isEqualTo("True Granted");
        spawn("pauling", "by-group", List.of("chemistry"));
        JupyterNotebookInstance pauling = awaitPhase("pauling", Phase.FAILED);
        assertThat(condition(pauling, "Ready")).isEqualTo("False AccessDenied");
        assertThat(pauling.getStatus().getMessage())
                .contains(
                        "user pauling (groups chemistry)", "JupyterNotebookAccess " + ns + "/physics (groups physics)");
    }

    @Test
    void accessBeforeAndAfterItsWindowIsRefusedSayingWhen() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        admin.resource(template("windowed", "access: {}", "")).create();
        admin.resource(access("next-term", "windowed", "groups: [next]", window(now.plus(Duration.ofDays(1)), null)))
                .create();
        admin.resource(access(
                        "last-term",
                        "windowed",
                        "groups: [last]",
                        window(now.minus(Duration.ofDays(2)), now.minus(Duration.ofDays(1)))))
                .create();
        admin.resource(access(
                        "this-term", "windowed", "groups: [current]", window(now.minus(Duration.ofDays(1)), null)))
                .create();
        await("rules published")
                .atMost(WAIT)
                .until(() ->
                        published("windowed") != null && published("windowed").getRules() == 4);

        spawn("early", "windowed", List.of("next"));
        spawn("late", "windowed", List.of("last"));
        spawn("now", "windowed", List.of("current"));
        assertThat(awaitPhase("early", Phase.FAILED).getStatus().getMessage())
                .contains("JupyterNotebookAccess " + ns + "/next-term grants it only from", "(notBefore)");
        assertThat(awaitPhase("late", Phase.FAILED).getStatus().getMessage())
                .contains("JupyterNotebookAccess " + ns + "/last-term granted it until", "(notAfter)");
        assertThat(condition(awaitPhase("now", Phase.READY), "AccessGranted")).isEqualTo("True Granted");
    }

    @Test
    void revokedWhileRunningWithKeepTheServerStaysAndItsConditionSaysSo() {
        admin.resource(template("keep", "access: {whenAccessEnds: Keep}", "")).create();
        admin.resource(access("grant-keep", "keep", "users: [kay]", "")).create();
        spawn("kay", "keep", List.of());
        awaitPhase("kay", Phase.READY);

        admin.resources(JupyterNotebookAccess.class)
                .inNamespace(ns)
                .withName("grant-keep")
                .delete();
        JupyterNotebookInstance kay = Fixtures.awaitInstance(
                admin, ns, "jupyter-kay", s -> "False AccessEnded".equals(condition(s, "AccessGranted")), WAIT);
        assertThat(kay.getStatus().getPhase()).isEqualTo(Phase.READY);
        assertThat(kay.getStatus().getConditions())
                .filteredOn(c -> c.getType().equals("AccessGranted"))
                .singleElement()
                .satisfies(c -> assertThat(c.getMessage()).contains("keeps running", "whenAccessEnds: Keep"));
        assertThat(admin.pods().inNamespace(ns).withName("nb-kay").get()).isNotNull();
        awaitWarning("jupyter-kay", "AccessEnded");
    }

    @Test
    void revokedWhileRunningWithDeleteTheOperatorDeletesTheServer() {
        admin.resource(template("strict", "access: {whenAccessEnds: Delete}", ""))
                .create();
        admin.resource(access("grant-strict", "strict", "groups: [course]", "")).create();
        spawn("dee", "strict", List.of("course"));
        awaitPhase("dee", Phase.READY);

        admin.resources(JupyterNotebookAccess.class)
                .inNamespace(ns)
                .withName("grant-strict")
                .delete();
        await("the instance deleted by the operator")
                .atMost(WAIT)
                .until(() -> admin.resources(JupyterNotebookInstance.class)
                                .inNamespace(ns)
                                .withName("jupyter-dee")
                                .get()
                        == null);
        await("its pod gone")
                .atMost(WAIT)
                .until(() -> admin.pods().inNamespace(ns).withName("nb-dee").get() == null);
    }

    @Test
    void revokedWhileRunningWithSuspendTheOperatorSuspendsTheServerAndKeepsTheInstance() {
        admin.resource(template("pausing", "access: {whenAccessEnds: Suspend}", ""))
                .create();
        admin.resource(access("grant-pausing", "pausing", "users: [sue]", "")).create();
        spawn("sue", "pausing", List.of());
        awaitPhase("sue", Phase.READY);

        admin.resources(JupyterNotebookAccess.class)
                .inNamespace(ns)
                .withName("grant-pausing")
                .delete();
        JupyterNotebookInstance sue = awaitPhase("sue", Phase.SUSPENDED);
        assertThat(sue.getStatus().getSuspension().getReason()).isEqualTo("AccessEnded");
        assertThat(sue.getStatus().getSuspension().getMessage()).contains("whenAccessEnds: Suspend");
        assertThat(condition(sue, "AccessGranted"))
                .as("a server whose access ended, not one refused at its spawn")
                .isEqualTo("False AccessEnded");
        await("its pod gone")
                .atMost(WAIT)
                .until(() -> admin.pods().inNamespace(ns).withName("nb-sue").get() == null);
        assertThat(admin.resources(JupyterNotebookInstance.class)
                        .inNamespace(ns)
                        .withName("jupyter-sue")
                        .get())
                .as("the instance is kept")
                .isNotNull();
    }

    @Test
    void aForgedOrMissingUserIsRefused() {
        admin.resource(template("guarded", "access: {groups: [physics]}", "")).create();
        JupyterNotebookInstance noUser = instance("nobody", "guarded", null);
        noUser.getSpec().setUser(null);
        assertForbidden(() -> hub.resource(noUser).create(), "must say whose it is");
        JupyterNotebookInstance noGroups = instance("lone", "guarded", null);
        noGroups.getSpec().getUser().setGroups(null);
        assertForbidden(() -> hub.resource(noGroups).create(), "must say whose it is");
        JupyterNotebookInstance otherName = instance("mallory", "guarded", List.of("physics"));
        otherName.getMetadata().setAnnotations(Map.of("hub.jupyter.org/username", "ada"));
        assertForbidden(
                () -> hub.resource(otherName).create(),
                "spec.user.name must equal its annotation hub.jupyter.org/username");

        // Well formed for the API server, not for the operator: a padded group name.
        spawn("eve", "guarded", List.of(" physics"));
        JupyterNotebookInstance eve = awaitPhase("eve", Phase.FAILED);
        assertThat(condition(eve, "Ready")).isEqualTo("False UserRejected");
        assertThat(eve.getStatus().getMessage()).contains("spec.user.groups[0]", "white space");
        assertThat(admin.pods().inNamespace(ns).withName("nb-eve").get()).isNull();
        // and spec.user cannot be changed afterwards (not even by an admin)
        assertThatThrownBy(() -> admin.resources(JupyterNotebookInstance.class)
                        .inNamespace(ns)
                        .withName("jupyter-eve")
                        .edit(i -> {
                            i.getSpec().getUser().setGroups(List.of("physics"));
                            return i;
                        }))
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("spec.user is immutable");
    }

    // ------------------------------------------------------------------------------------------------ quotas

    @Test
    void serversPerNamespace() {
        admin.resource(template("open", "", "")).create();
        admin.resource(quota("namespace", "servers: 1", "")).create();
        spawn("n1", "open", List.of());
        awaitPhase("n1", Phase.READY);
        spawn("n2", "open", List.of());
        assertQuotaExceeded(
                "n2",
                "JupyterNotebookQuota " + ns + "/namespace allows 1 server (limits.servers) and 1 are running or"
                        + " starting");
    }

    @Test
    void serversPerUser() {
        admin.resource(template("open", "", "")).create();
        admin.resource(quota("per-user", "serversPerUser: 1", "")).create();
        spawn("u1", "open", List.of());
        awaitPhase("u1", Phase.READY);
        // the same user's second server (a named server: another instance, same spec.user)
        hub.resource(instance("u1-second", "open", List.of(), "u1")).create();
        assertQuotaExceeded("u1-second", "JupyterNotebookQuota " + ns + "/per-user allows 1 server per user");
        spawn("u2", "open", List.of());
        awaitPhase("u2", Phase.READY);
    }

    @Test
    void serversPerTemplate() {
        admin.resource(template("small", "", "")).create();
        admin.resource(template("big", "", "")).create();
        admin.resource(quota("big-only", "servers: 1", "scope: {templates: [big]}"))
                .create();
        spawn("t1", "big", List.of());
        awaitPhase("t1", Phase.READY);
        spawn("t2", "big", List.of());
        assertQuotaExceeded("t2", "JupyterNotebookQuota " + ns + "/big-only allows 1 server");
        spawn("t3", "small", List.of());
        awaitPhase("t3", Phase.READY);
    }

    @Test
    void requestedCpuPerUser() {
        admin.resource(template("cpu", "", "resources: {requests: {cpu: 600m}}"))
                .create();
        admin.resource(quota("cpu-per-user", "requestsPerUser: {cpu: '1'}", "")).create();
        spawn("c1", "cpu", List.of());
        awaitPhase("c1", Phase.READY);
        hub.resource(instance("c1-second", "cpu", List.of(), "c1")).create();
        assertQuotaExceeded("c1-second", "JupyterNotebookQuota " + ns + "/cpu-per-user allows requests of 1 cpu");
    }

    @Test
    void requestedMemoryPerGroup() {
        admin.resource(template("mem", "", "resources: {requests: {memory: 600Mi}}"))
                .create();
        admin.resource(quota("physics-memory", "requests: {memory: 1Gi}", "scope: {groups: [physics]}"))
                .create();
        spawn("g1", "mem", List.of("physics"));
        awaitPhase("g1", Phase.READY);
        spawn("g2", "mem", List.of("physics", "staff"));
        assertQuotaExceeded("g2", "JupyterNotebookQuota " + ns + "/physics-memory allows requests of");
        spawn("g3", "mem", List.of("staff"));
        awaitPhase("g3", Phase.READY);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static void assertQuotaExceeded(String user, String expected) {
        JupyterNotebookInstance refused = awaitPhase(user, Phase.FAILED);
        assertThat(condition(refused, "Ready")).isEqualTo("False QuotaExceeded");
        assertThat(refused.getStatus().getMessage()).contains("quota exceeded", expected);
        assertThat(admin.pods().inNamespace(ns).withName("nb-" + user).get())
                .as("refused before anything is created")
                .isNull();
        awaitWarning("jupyter-" + user, "QuotaExceeded");
    }

    private static void assertForbidden(Runnable create, String message) {
        assertThatThrownBy(create::run)
                .isInstanceOfSatisfying(
                        KubernetesClientException.class,
                        e -> assertThat(e.getCode()).isEqualTo(403))
                .hasMessageContaining(message);
    }

    /** What the spawner does for a user's default server: an instance whose spec.user the hub asserts. */
    private static void spawn(String user, String template, List<String> groups) {
        hub.resource(instance(user, template, groups)).create();
    }

    private static JupyterNotebookInstance instance(String user, String template, List<String> groups) {
        return instance(user, template, groups, user);
    }

    private static JupyterNotebookInstance instance(String name, String template, List<String> groups, String hubUser) {
        JupyterNotebookInstance i =
                Serialization.unmarshal("""
                apiVersion: kubespawner.jupyterhub.org/v1
                kind: JupyterNotebookInstance
                metadata:
                  name: jupyter-%1$s
                  namespace: %2$s
                  annotations: {hub.jupyter.org/username: %4$s}
                spec:
                  template: {name: %3$s}
                  user: {name: %4$s, groups: []}
                  variables: {user: %1$s}
                """.formatted(name, ns, template, hubUser), JupyterNotebookInstance.class);
        i.getSpec().getUser().setGroups(groups);
        return i;
    }

    private static JupyterNotebookInstanceTemplate template(String name, String policyExtra, String containerExtra) {
        return Serialization.unmarshal(
                """
                apiVersion: kubespawner.jupyterhub.org/v1
                kind: JupyterNotebookInstanceTemplate
                metadata: {name: %s, namespace: %s, labels: {jno-it: access}}
                spec:
                  variables:
                  - {name: user, required: true, pattern: '[a-z0-9]([-a-z0-9]*[a-z0-9])?'}
                  pods:
                  - name: nb-{user}
                    spec:
                      containers:
                      - name: notebook
                        image: 'quay.io/jupyter/base-notebook:2025-03-14'
                        %s
                  policy:
                    allowedImages: [quay.io/jupyter/*]
                    %s
                """.formatted(name, ns, containerExtra, policyExtra), JupyterNotebookInstanceTemplate.class);
    }

    private static JupyterNotebookAccess access(String name, String template, String who, String window) {
        return Serialization.unmarshal("""
                apiVersion: kubespawner.jupyterhub.org/v1
                kind: JupyterNotebookAccess
                metadata: {name: %s, namespace: %s}
                spec:
                  templates: [%s]
                  %s
                  %s
                """.formatted(name, ns, template, who, window), JupyterNotebookAccess.class);
    }

    private static String window(Instant notBefore, Instant notAfter) {
        return (notBefore == null ? "" : "notBefore: '" + notBefore + "'")
                + (notBefore != null && notAfter != null ? "\n  " : "")
                + (notAfter == null ? "" : "notAfter: '" + notAfter + "'");
    }

    private static JupyterNotebookQuota quota(String name, String limits, String scope) {
        return Serialization.unmarshal("""
                apiVersion: kubespawner.jupyterhub.org/v1
                kind: JupyterNotebookQuota
                metadata: {name: %s, namespace: %s}
                spec:
                  %s
                  limits: {%s}
                """.formatted(name, ns, scope, limits), JupyterNotebookQuota.class);
    }

    private static org.jupyterhub.kubespawner.v1.jupyternotebookinstancetemplatestatus.Access published(
            String template) {
        JupyterNotebookInstanceTemplate t = admin.resources(JupyterNotebookInstanceTemplate.class)
                .inNamespace(ns)
                .withName(template)
                .get();
        return t == null || t.getStatus() == null ? null : t.getStatus().getAccess();
    }

    private static JupyterNotebookInstance awaitPhase(String user, Phase phase) {
        return Fixtures.awaitInstance(admin, ns, "jupyter-" + user, s -> s.getPhase() == phase, WAIT);
    }

    private static String condition(JupyterNotebookInstance instance, String type) {
        return condition(instance.getStatus(), type);
    }

    private static String condition(JupyterNotebookInstanceStatus status, String type) {
        if (status == null || status.getConditions() == null) {
            return null;
        }
        return status.getConditions().stream()
                .filter(c -> c.getType().equals(type))
                .map(c -> c.getStatus() + " " + c.getReason())
                .findFirst()
                .orElse(null);
    }

    private static void awaitWarning(String instance, String reason) {
        await("Warning " + reason + " about " + instance)
                .atMost(WAIT)
                .until(() -> admin.events().v1().events().inNamespace(ns).list().getItems().stream()
                        .filter(e -> e.getRegarding() != null
                                && instance.equals(e.getRegarding().getName()))
                        .anyMatch(e -> "Warning".equals(e.getType()) && reason.equals(e.getReason())));
    }
}
