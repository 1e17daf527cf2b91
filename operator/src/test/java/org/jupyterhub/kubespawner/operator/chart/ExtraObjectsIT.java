package org.jupyterhub.kubespawner.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 * Extra objects on the real control plane, with the operator holding nothing but the chart's RBAC for an allowlist
 * (ConfigMap, ServiceAccount, RoleBinding, Gateway API HTTPRoute from its Go module's CRDs, a test custom resource)
 * and one bindable ClusterRole: a server gets all of them, its pod waits for the custom resource's Ready condition
 * (flipped by the test) and runs as its ServiceAccount; kinds and roles beyond the allowlist make templates invalid;
 * deleting the instance removes what it owned; the chart's Role holds exactly get and create on those kinds and bind
 * on that role.
 */
class ExtraObjectsIT {

    @RegisterExtension
    static final ControlPlane cluster = ControlPlane.perClass();

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final ResourceDefinitionContext WIDGETS = new ResourceDefinitionContext.Builder()
            .withGroup("it.jno.example.org")
            .withVersion("v1")
            .withKind("Widget")
            .withPlural("widgets")
            .withNamespaced(true)
            .build();
    private static final ResourceDefinitionContext ROUTES = new ResourceDefinitionContext.Builder()
            .withGroup("gateway.networking.k8s.io")
            .withVersion("v1")
            .withKind("HTTPRoute")
            .withPlural("httproutes")
            .withNamespaced(true)
            .build();

    private static HelmRelease release;
    private static NotebookOperator operator;
    private static String ns;

    @BeforeAll
    static void installWithAnAllowlistAndRunTheOperatorAsItsServiceAccount() throws Exception {
        cluster.applyCrds();
        ExtraObjectsSupport.installGatewayApi(cluster.admin());
        ExtraObjectsSupport.installWidget(cluster.admin());
        ns = cluster.namespace();
        release = HelmRelease.install(
                cluster,
                "jno",
                ns,
                "operator.extraObjects.kinds[0].apiVersion=v1",
                "operator.extraObjects.kinds[0].kind=ConfigMap",
                "operator.extraObjects.kinds[1].apiVersion=v1",
                "operator.extraObjects.kinds[1].kind=ServiceAccount",
                "operator.extraObjects.kinds[2].apiVersion=rbac.authorization.k8s.io/v1",
                "operator.extraObjects.kinds[2].kind=RoleBinding",
                "operator.extraObjects.kinds[3].apiVersion=gateway.networking.k8s.io/v1",
                "operator.extraObjects.kinds[3].kind=HTTPRoute",
                "operator.extraObjects.kinds[4].apiVersion=it.jno.example.org/v1",
                "operator.extraObjects.kinds[4].kind=Widget",
                "operator.extraObjects.kinds[4].resource=widgets",
                "operator.extraObjects.kinds[4].podSpecPath=spec.template.spec",
                "operator.extraObjects.bindableRoles[0].kind=ClusterRole",
                "operator.extraObjects.bindableRoles[0].name=view",
                "hub.instanceQuota=0");
        OperatorConfig config = ReleaseOperator.chartConfig(cluster, release, ns);
        assertThat(config.allowlist().describeKinds())
                .containsExactly(
                        "v1 ConfigMap",
                        "v1 ServiceAccount",
                        "rbac.authorization.k8s.io/v1 RoleBinding",
                        "gateway.networking.k8s.io/v1 HTTPRoute",
                        "it.jno.example.org/v1 Widget");
        operator = ReleaseOperator.start(cluster, release, ns, config);
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
    void aServerGetsItsExtraObjectsWaitsForTheirReadinessAndLosesThemWithItsInstance() {
        KubernetesClient admin = cluster.admin();
        admin.resource(template("extras", """
                extraObjects:
                - {apiVersion: v1, kind: ConfigMap, name: 'settings-{user}', data: {user: '{user}'}}
                - {apiVersion: v1, kind: ConfigMap, name: 'kept-{user}', whenDeleted: Retain, data: {a: b}}
                - apiVersion: gateway.networking.k8s.io/v1
                  kind: HTTPRoute
                  name: 'route-{user}'
                  spec:
                    hostnames: ['{user}.notebooks.example.org']
                    rules: [{backendRefs: [{name: 'nb-{user}', port: 8888}]}]
                - apiVersion: it.jno.example.org/v1
                  kind: Widget
                  name: 'widget-{user}'
                  weight: 1
                  readiness: {conditionType: Ready}
                  spec:
                    size: 2
                    template: {spec: {containers: [{name: helper, image: 'quay.io/jupyter/base-notebook:2025-03-14'}]}}
                serviceAccount: {name: 'sa-{user}'}
                """, "roles: [{kind: ClusterRole, name: view}]"))
                .create();
        awaitValid("extras", true);
        admin.resource(Fixtures.instance(ns, "ada", "extras", "user: ada", null))
                .create();

        JupyterNotebookInstance waiting = Fixtures.awaitInstance(
                admin, ns, "ada", s -> s.getMessage() != null && s.getMessage().contains("widget-ada"), WAIT);
        assertThat(waiting.getStatus().getPhase()).isEqualTo(Phase.PENDING);
        assertThat(waiting.getStatus().getResources())
                .extracting(r -> r.getKind() + "/" + r.getName() + "=" + r.getState())
                .contains("Widget/widget-ada=Pending", "ConfigMap/settings-ada=Created");
        assertThat(admin.pods().inNamespace(ns).withName("nb-ada").get())
                .as("the pod waits for the widget")
                .isNull();

        GenericKubernetesResource widget = admin.genericKubernetesResources(WIDGETS)
                .inNamespace(ns)
                .withName("widget-ada")
                .get();
        widget.setAdditionalProperty(
                "status", Map.of("conditions", List.of(Map.of("type", "Ready", "status", "True", "reason", "Test"))));
        admin.genericKubernetesResources(WIDGETS)
                .inNamespace(ns)
                .resource(widget)
                .updateStatus();

        JupyterNotebookInstance ready =
                Fixtures.awaitInstance(admin, ns, "ada", s -> s.getPhase() == Phase.READY, WAIT);
        assertThat(ready.getStatus().getResources())
                .extracting(r -> r.getKind() + "/" + r.getName() + "=" + r.getState())
                .containsExactly(
                        "ConfigMap/settings-ada=Created",
                        "ConfigMap/kept-ada=Retained",
                        "ServiceAccount/sa-ada=Created",
                        "RoleBinding/sa-ada-clusterrole-view=Created",
                        "HTTPRoute/route-ada=Created",
                        "Widget/widget-ada=Ready",
                        "Pod/nb-ada=Ready");
        Pod pod = admin.pods().inNamespace(ns).withName("nb-ada").get();
        assertThat(pod.getSpec().getServiceAccountName()).isEqualTo("sa-ada");
        assertThat(pod.getSpec().getAutomountServiceAccountToken()).isFalse();
        RoleBinding binding = admin.rbac()
                .roleBindings()
                .inNamespace(ns)
                .withName("sa-ada-clusterrole-view")
                .get();
        assertThat(binding.getRoleRef().getName()).isEqualTo("view");
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getName()).isEqualTo("sa-ada");
            assertThat(s.getNamespace()).isEqualTo(ns);
        });
        assertThat(admin.configMaps()
                        .inNamespace(ns)
                        .withName("settings-ada")
                        .get()
                        .getData())
                .containsEntry("user", "ada");
        GenericKubernetesResource route = admin.genericKubernetesResources(ROUTES)
                .inNamespace(ns)
                .withName("route-ada")
                .get();
        assertThat(route.<List<String>>get("spec", "hostnames")).containsExactly("ada.notebooks.example.org");

        admin.resources(JupyterNotebookInstance.class)
                .inNamespace(ns)
                .withName("ada")
                .withPropagationPolicy(DeletionPropagation.FOREGROUND)
                .delete();
        await("owned objects collected")
                .atMost(WAIT)
                .until(() -> admin.configMaps()
                                        .inNamespace(ns)
                                        .withName("settings-ada")
                                        .get()
                                == null
                        && admin.serviceAccounts()
                                        .inNamespace(ns)
                                        .withName("sa-ada")
                                        .get()
                                == null
                        && admin.rbac()
                                        .roleBindings()
                                        .inNamespace(ns)
                                        .withName("sa-ada-clusterrole-view")
                                        .get()
                                == null
                        && admin.genericKubernetesResources(ROUTES)
                                        .inNamespace(ns)
                                        .withName("route-ada")
                                        .get()
                                == null
                        && admin.genericKubernetesResources(WIDGETS)
                                        .inNamespace(ns)
                                        .withName("widget-ada")
                                        .get()
                                == null
                        && admin.pods().inNamespace(ns).withName("nb-ada").get() == null);
        ConfigMap kept = admin.configMaps().inNamespace(ns).withName("kept-ada").get();
        assertThat(kept).as("whenDeleted: Retain outlives the instance").isNotNull();
        assertThat(kept.getMetadata().getOwnerReferences()).isNullOrEmpty();
        assertThat(operator.ready()).isTrue();
    }

    @Test
    void kindsAndRolesBeyondTheAllowlistMakeTheTemplateInvalid() {
        KubernetesClient admin = cluster.admin();
        admin.resource(template("deployment", """
                extraObjects:
                - {apiVersion: apps/v1, kind: Deployment, name: 'd-{user}', spec: {}}
                """, null)).create();
        admin.resource(template(
                        "admin-role",
                        "serviceAccount: {name: 'sa-{user}'}\n",
                        "roles: [{kind: ClusterRole, name: admin}]"))
                .create();

        assertThat(awaitValid("deployment", false))
                .contains("extraObjects[0]", "apps/v1 Deployment", "not on the operator's allowlist");
        assertThat(awaitValid("admin-role", false)).contains("policy.roles[0]", "ClusterRole admin");

        admin.resource(Fixtures.instance(ns, "bob", "deployment", "user: bob", null))
                .create();
        JupyterNotebookInstance refused =
                Fixtures.awaitInstance(admin, ns, "bob", s -> s.getPhase() == Phase.FAILED, WAIT);
        assertThat(refused.getStatus().getMessage()).contains("apps/v1 Deployment");
        assertThat(admin.pods().inNamespace(ns).withName("nb-bob").get()).isNull();
    }

    @Test
    void aCustomResourceTheApiServerRejectsStopsTheSpawnBeforeAnythingExists() {
        KubernetesClient admin = cluster.admin();
        admin.resource(template("bad-widget", """
                extraObjects:
                - {apiVersion: v1, kind: ConfigMap, name: 'cm-{user}', data: {a: b}}
                - apiVersion: it.jno.example.org/v1
                  kind: Widget
                  name: 'widget-{user}'
                  spec: {size: 0}
                """, null)).create();
        awaitValid("bad-widget", true);
        admin.resource(Fixtures.instance(ns, "carol", "bad-widget", "user: carol", null))
                .create();

        JupyterNotebookInstance failed =
                Fixtures.awaitInstance(admin, ns, "carol", s -> s.getPhase() == Phase.FAILED, WAIT);
        assertThat(failed.getStatus().getMessage()).contains("dry run of Widget widget-carol", "spec.size");
        assertThat(admin.configMaps().inNamespace(ns).withName("cm-carol").get())
                .as("nothing created")
                .isNull();
    }

    @Test
    void theChartsRoleHoldsExactlyWhatTheAllowlistNeeds() {
        Role role = cluster.admin()
                .rbac()
                .roles()
                .inNamespace(ns)
                .withName(release.fullname() + "-operator")
                .get();
        List<String> extra = new ArrayList<>();
        for (PolicyRule rule : role.getRules()) {
            String text = rule.getApiGroups() + " " + rule.getResources() + " " + rule.getVerbs()
                    + (rule.getResourceNames() == null
                                    || rule.getResourceNames().isEmpty()
                            ? ""
                            : " " + rule.getResourceNames());
            if (rule.getResources().stream()
                    .anyMatch(r -> List.of(
                                    "configmaps",
                                    "serviceaccounts",
                                    "rolebindings",
                                    "httproutes",
                                    "widgets",
                                    "clusterroles",
                                    "roles")
                            .contains(r))) {
                extra.add(text);
            }
        }
        assertThat(extra)
                .containsExactly(
                        "[] [configmaps] [get, create]",
                        "[] [serviceaccounts] [get, create]",
                        "[rbac.authorization.k8s.io] [rolebindings] [get, create]",
                        "[gateway.networking.k8s.io] [httproutes] [get, create]",
                        "[it.jno.example.org] [widgets] [get, create]",
                        "[rbac.authorization.k8s.io] [clusterroles] [bind] [view]");
        KubernetesClient op = cluster.clientFor(ns, release.fullname()); // the operator's token: nothing beyond
        assertThat(ExtraObjectsSupport.can(op, ns, "create", "", "configmaps", null))
                .isTrue();
        assertThat(ExtraObjectsSupport.can(op, ns, "delete", "", "configmaps", null))
                .isFalse();
        assertThat(ExtraObjectsSupport.can(op, ns, "list", "", "configmaps", null))
                .isFalse();
        assertThat(ExtraObjectsSupport.can(op, ns, "update", "it.jno.example.org", "widgets", null))
                .isFalse();
        assertThat(ExtraObjectsSupport.can(op, ns, "create", "apps", "deployments", null))
                .isFalse();
        assertThat(ExtraObjectsSupport.can(op, ns, "bind", "rbac.authorization.k8s.io", "clusterroles", "view"))
                .isTrue();
        assertThat(ExtraObjectsSupport.can(op, ns, "bind", "rbac.authorization.k8s.io", "clusterroles", "admin"))
                .isFalse();
        assertThat(ExtraObjectsSupport.can(op, ns, "escalate", "rbac.authorization.k8s.io", "clusterroles", "view"))
                .isFalse();
    }

    private static JupyterNotebookInstanceTemplate template(String name, String specYaml, String policyYaml) {
        JupyterNotebookInstanceTemplate t = Fixtures.template(ns, name, specYaml);
        if (policyYaml != null) {
            var extra = Serialization.unmarshal(
                    "spec: {policy: {" + policyYaml + "}}", JupyterNotebookInstanceTemplate.class);
            t.getSpec().getPolicy().setRoles(extra.getSpec().getPolicy().getRoles());
        }
        return t;
    }

    /** Waits for the template's Valid condition; returns its message. */
    private static String awaitValid(String name, boolean valid) {
        String[] message = new String[1];
        await("template " + name + " Valid=" + valid).atMost(WAIT).until(() -> {
            JupyterNotebookInstanceTemplate t = cluster.admin()
                    .resources(JupyterNotebookInstanceTemplate.class)
                    .inNamespace(ns)
                    .withName(name)
                    .get();
            var condition = t == null || t.getStatus() == null
                    ? null
                    : t.getStatus().getConditions().stream()
                            .filter(c -> c.getType().equals("Valid"))
                            .findFirst()
                            .orElse(null);
            if (condition == null || !condition.getStatus().equals(valid ? "True" : "False")) {
                return false;
            }
            message[0] = condition.getMessage();
            return true;
        });
        return message[0];
    }
}
