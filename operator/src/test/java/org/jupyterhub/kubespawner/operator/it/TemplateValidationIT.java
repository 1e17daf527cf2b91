package org.jupyterhub.kubespawner.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.jupyterhub.kubespawner.e2e.ControlPlane;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplateStatus;

/** An admin sees a broken template in its status, with every problem and a Warning Event, before anyone spawns. */
class TemplateValidationIT {

    @RegisterExtension
    static final ControlPlane cluster = ControlPlane.perClass();

    private static RunningOperator operator;

    @BeforeAll
    static void startOperator() {
        cluster.applyCrds();
        operator = RunningOperator.start(cluster, Duration.ofMinutes(1), cluster.namespace());
    }

    @AfterAll
    static void stopOperator() {
        Fixtures.releaseInstances(cluster.admin(), cluster.namespace());
        if (operator != null) {
            operator.close();
        }
    }

    @Test
    void brokenTemplateIsInvalidWithEveryProblemThenFixed() {
        KubernetesClient admin = cluster.admin();
        String ns = cluster.namespace();
        JupyterNotebookInstanceTemplate broken = Fixtures.template(ns, "broken", null);
        broken.getSpec().getPods().get(0).getLabels().put("team", "{team}");
        broken.getSpec().getPods().get(0).getSpec().getContainers().get(0).setImage("docker.io/library/busybox:1");
        admin.resource(broken).create();

        JupyterNotebookInstanceTemplateStatus status = awaitStatus(
                admin,
                ns,
                "broken",
                s -> s.getConditions().stream()
                        .anyMatch(c ->
                                c.getType().equals("Valid") && c.getStatus().equals("False")));
        assertThat(status.getProblems()).anySatisfy(p -> {
            assertThat(p.getPath()).isEqualTo("pods[0].labels.team");
            assertThat(p.getMessage()).contains("team");
        });
        assertThat(status.getProblems()).anySatisfy(p -> {
            assertThat(p.getPath()).isEqualTo("pods[0].spec.containers[0].image");
            assertThat(p.getMessage()).contains("docker.io/library/busybox:1");
        });
        assertThat(status.getConditions())
                .singleElement()
                .satisfies(c -> assertThat(c.getReason()).isEqualTo("TemplateInvalid"));
        await().atMost(Fixtures.WAIT)
                .untilAsserted(() -> assertThat(templateEvents(admin, ns, "broken"))
                        .anySatisfy(e -> {
                            assertThat(e.getType() + "/" + e.getReason()).isEqualTo("Warning/TemplateInvalid");
                            assertThat(e.getNote()).contains("team").contains("busybox");
                        }));

        JupyterNotebookInstanceTemplate fixed = admin.resources(JupyterNotebookInstanceTemplate.class)
                .inNamespace(ns)
                .withName("broken")
                .get();
        fixed.getSpec().getPods().get(0).getLabels().remove("team");
        fixed.getSpec().getPods().get(0).getSpec().getContainers().get(0).setImage("quay.io/jupyter/base-notebook:x");
        admin.resource(fixed).update();
        JupyterNotebookInstanceTemplateStatus valid = awaitStatus(
                admin,
                ns,
                "broken",
                s -> s.getConditions().stream()
                        .anyMatch(c ->
                                c.getType().equals("Valid") && c.getStatus().equals("True")));
        assertThat(valid.getProblems()).isEmpty();
        assertThat(valid.getObservedGeneration()).isEqualTo(2L);
        await().atMost(Fixtures.WAIT)
                .untilAsserted(() -> assertThat(templateEvents(admin, ns, "broken"))
                        .anySatisfy(e ->
                                assertThat(e.getType() + "/" + e.getReason()).isEqualTo("Normal/TemplateValid")));
    }

    private static JupyterNotebookInstanceTemplateStatus awaitStatus(
            KubernetesClient admin,
            String ns,
            String name,
            java.util.function.Predicate<JupyterNotebookInstanceTemplateStatus> until) {
        await("template " + name).atMost(Fixtures.WAIT).until(() -> {
            JupyterNotebookInstanceTemplate t = admin.resources(JupyterNotebookInstanceTemplate.class)
                    .inNamespace(ns)
                    .withName(name)
                    .get();
            return t.getStatus() != null && t.getStatus().getConditions() != null && until.test(t.getStatus());
        });
        return admin.resources(JupyterNotebookInstanceTemplate.class)
                .inNamespace(ns)
                .withName(name)
                .get()
                .getStatus();
    }

    private static List<Event> templateEvents(KubernetesClient admin, String ns, String name) {
        return admin.events().v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> e.getRegarding() != null
                        && name.equals(e.getRegarding().getName())
                        && "JupyterNotebookInstanceTemplate"
                                .equals(e.getRegarding().getKind()))
                .toList();
    }
}
