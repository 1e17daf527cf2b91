package org.jupyterhub.kubespawner.operator.instance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.jupyterhub.kubespawner.operator.OperatorMetrics;
import org.jupyterhub.kubespawner.operator.template.CompiledTemplates;
import org.jupyterhub.kubespawner.operator.vocabulary.Reason;
import org.jupyterhub.kubespawner.templating.AllowlistedKinds;
import org.jupyterhub.kubespawner.templating.KindAllowlist;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus.Phase;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;

/** Extra objects over the in-memory cluster: dry run first, the pods wait for what they depend on, ownership. */
class ExtraObjectsReconcileTest {

    private static final String NS = InstanceReconcileTest.NS;

    private static final KindAllowlist ALLOW = new KindAllowlist(
            List.of(
                    AllowlistedKinds.CONFIG_MAP,
                    AllowlistedKinds.SERVICE_ACCOUNT,
                    AllowlistedKinds.ROLE_BINDING,
                    AllowlistedKinds.custom("example.org/v1", "Widget", null)),
            Set.of(new KindAllowlist.Role("ClusterRole", "view")));

    private final FakeCluster cluster = new FakeCluster();

    private InstanceReconcile steps() {
        return new InstanceReconcile(
                new InstanceReconciler.Settings(
                        new CompiledTemplates(ALLOW),
                        Duration.ofMinutes(5),
                        10,
                        InstanceReconcileTest.HUB_LABEL,
                        new OperatorMetrics(new SimpleMeterRegistry()),
                        Clock.fixed(InstanceReconcileTest.T0, java.time.ZoneOffset.UTC)),
                cluster);
    }

    private void setUp() {
        JupyterNotebookInstanceTemplate t = Serialization.unmarshal("""
                apiVersion: kubespawner.jupyterhub.org/v1
                kind: JupyterNotebookInstanceTemplate
                metadata: {name: home, namespace: hub, uid: t-uid, generation: 1}
                spec:
                  variables:
                  - {name: user, required: true, pattern: '[a-z0-9-]+'}
                  - {name: unescaped_user, default: ''}
                  pods:
                  - name: jupyter-{user}
                    spec:
                      containers:
                      - {name: notebook, image: 'quay.io/jupyter/base-notebook'}
                  extraObjects:
                  - {apiVersion: v1, kind: ConfigMap, name: 'settings-{user}', data: {user: '{user}'}}
                  - apiVersion: example.org/v1
                    kind: Widget
                    name: 'w-{user}'
                    readiness: {conditionType: Ready}
                    spec: {size: 1}
                  serviceAccount: {name: 'sa-{user}'}
                  policy:
                    allowedImages: [quay.io/jupyter/*]
                    roles: [{kind: ClusterRole, name: view}]
                """, JupyterNotebookInstanceTemplate.class);
        cluster.template(t);
        cluster.secret(
                NS,
                "jupyter-ada",
                Map.of(
                        "app.kubernetes.io/managed-by",
                        "notebookinstance-spawner",
                        "kubespawner.jupyterhub.org/instance",
                        "jupyter-ada"));
    }

    @Test
    void thePodsWaitForAnObjectWithAReadinessRuleAndStatusListsItsState() {
        setUp();
        InstanceReconcile steps = steps();
        JupyterNotebookInstance ada = InstanceReconcileTest.instance("jupyter-ada", "ada", "Ada");

        InstanceReconcile.Outcome waiting = steps.reconcile(ada);

        assertThat(cluster.dryRuns).containsExactly("Widget/hub/w-ada");
        assertThat(cluster.created)
                .containsExactly(
                        "ConfigMap/hub/settings-ada",
                        "ServiceAccount/hub/sa-ada",
                        "RoleBinding/hub/sa-ada-clusterrole-view",
                        "Widget/hub/w-ada");
        JupyterNotebookInstanceStatus s = waiting.result().status();
        assertThat(s.getPhase()).isEqualTo(Phase.PENDING);
        assertThat(waiting.result().reason("Ready")).isEqualTo(Reason.DependencyNotReady);
        assertThat(s.getMessage()).contains("Widget w-ada", "condition Ready=True");
        assertThat(s.getResources())
                .extracting(r -> r.getKind(), r -> r.getState())
                .containsExactly(
                        tuple("ConfigMap", "Created"),
                        tuple("ServiceAccount", "Created"),
                        tuple("RoleBinding", "Created"),
                        tuple("Widget", "Pending"));
        assertThat(waiting.recheckAfter()).isPositive();
        RoleBinding binding = cluster.get("RoleBinding", NS, "sa-ada-clusterrole-view");
        assertThat(binding.getSubjects())
                .singleElement()
                .satisfies(x -> assertThat(x.getNamespace()).isEqualTo(NS));

        InstanceReconcile.Outcome still = steps.reconcile(ada);
        assertThat(cluster.created).as("nothing created twice").hasSize(4);
        assertThat(still.result().reason("Ready")).isEqualTo(Reason.DependencyNotReady);

        GenericKubernetesResource widget = cluster.get("Widget", NS, "w-ada");
        widget.setAdditionalProperty(
                "status", Map.of("conditions", List.of(Map.of("type", "Ready", "status", "True"))));
        steps.reconcile(ada);

        assertThat(cluster.created).last().isEqualTo("Pod/hub/jupyter-ada");
        Pod pod = cluster.get("Pod", NS, "jupyter-ada");
        assertThat(pod.getSpec().getServiceAccountName()).isEqualTo("sa-ada");
        assertThat(pod.getSpec().getAutomountServiceAccountToken()).isFalse();
        assertThat(widget.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(o -> assertThat(o.getUid()).isEqualTo("uid-jupyter-ada"));
    }

    @Test
    void aCustomResourceTheApiServerRefusesOnTheDryRunStopsEverything() {
        setUp();
        cluster.dryRunFailures.put(
                "Widget/hub/w-ada", new KubernetesClientException("spec.size: Invalid value: must be even", 422, null));
        InstanceReconcile.Outcome refused =
                steps().reconcile(InstanceReconcileTest.instance("jupyter-ada", "ada", "Ada"));

        assertThat(cluster.created).isEmpty();
        assertThat(refused.result().status().getPhase()).isEqualTo(Phase.FAILED);
        assertThat(refused.result().reason("Ready")).isEqualTo(Reason.CreateFailed);
        assertThat(refused.result().status().getMessage()).contains("dry run of Widget w-ada", "must be even");
    }

    @Test
    void anExistingObjectThatIsNotThisInstancesIsAConflict() {
        setUp();
        cluster.put(new ConfigMapBuilder()
                .withNewMetadata()
                .withNamespace(NS)
                .withName("settings-ada")
                .endMetadata()
                .build());
        InstanceReconcile.Outcome refused =
                steps().reconcile(InstanceReconcileTest.instance("jupyter-ada", "ada", "Ada"));

        assertThat(refused.result().reason("Ready")).isEqualTo(Reason.NameConflict);
        assertThat(refused.result().status().getMessage()).contains("ConfigMap settings-ada");
        assertThat(cluster.created).isEmpty();
    }
}
