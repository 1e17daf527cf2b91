package org.jupyterhub.kubespawner.examples.costcentre;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.jupyterhub.kubespawner.e2e.ControlPlane;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatusBuilder;

/**
 * The example extension on the real control plane, with only the permissions its Javadoc lists (a ServiceAccount
 * bound to a Role with exactly those rules): it records a Normal Event when a server with a valid cost centre becomes
 * Ready, a Warning for an invalid one, and nothing for instances without the property. The notebook operator's part
 * (writing status) is played by the test: the extension only reads it. The API server's own rules for the property
 * map (key syntax) are checked too.
 */
class CostCentreControllerIT {

    @RegisterExtension
    static final ControlPlane cluster = ControlPlane.perClass();

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static String ns;
    private static CostCentreController controller;

    @BeforeAll
    static void start() {
        cluster.applyCrds();
        ns = cluster.namespace();
        KubernetesClient admin = cluster.admin();
        admin.rbac()
                .roles()
                .inNamespace(ns)
                .resource(new RoleBuilder()
                        .withNewMetadata()
                        .withName("cost-centre")
                        .endMetadata()
                        .addNewRule()
                        .withApiGroups("kubespawner.jupyterhub.org")
                        .withResources("jupyternotebookinstances")
                        .withVerbs("get", "list", "watch")
                        .endRule()
                        .addNewRule()
                        .withApiGroups("events.k8s.io")
                        .withResources("events")
                        .withVerbs("create", "patch")
                        .endRule()
                        .build())
                .create();
        admin.rbac()
                .roleBindings()
                .inNamespace(ns)
                .resource(new RoleBindingBuilder()
                        .withNewMetadata()
                        .withName("cost-centre")
                        .endMetadata()
                        .withNewRoleRef("rbac.authorization.k8s.io", "Role", "cost-centre")
                        .addNewSubject()
                        .withKind("ServiceAccount")
                        .withName("cost-centre")
                        .withNamespace(ns)
                        .endSubject()
                        .build())
                .create();
        controller = CostCentreController.start(cluster.clientFor(ns, "cost-centre"), ns);
    }

    @AfterAll
    static void stop() {
        if (controller != null) {
            controller.close();
        }
    }

    @Test
    void recordsItsOwnEventsFromThePropertyAndNothingWithoutIt() {
        KubernetesClient admin = cluster.admin();
        create(admin, "nb-valid", "example.org/cost-centre: RS-0042");
        create(admin, "nb-invalid", "example.org/cost-centre: \"{x}\"");
        create(admin, "nb-none", "example.org/other: anything");
        // nb-none first: the informer hands over updates in order, so it was decided before the others' Events exist
        for (String name : List.of("nb-none", "nb-valid", "nb-invalid")) {
            ready(admin, name);
        }

        await("the extension's Events").atMost(WAIT).untilAsserted(() -> {
            assertThat(events(admin, "nb-valid")).singleElement().satisfies(e -> {
                assertThat(e.getType()).isEqualTo("Normal");
                assertThat(e.getReason()).isEqualTo("CostCentreCharged");
                assertThat(e.getNote()).isEqualTo("notebook server nb-valid in " + ns + " is charged to RS-0042");
            });
            assertThat(events(admin, "nb-invalid")).singleElement().satisfies(e -> {
                assertThat(e.getType()).isEqualTo("Warning");
                assertThat(e.getReason()).isEqualTo("CostCentreRejected");
                assertThat(e.getNote()).contains("does not match pattern").doesNotContain(ns + " is");
            });
        });
        assertThat(events(admin, "nb-none")).isEmpty();
    }

    @Test
    void theApiServerRefusesPropertyNamesThatAreNotQualifiedNames() {
        assertThatThrownBy(() -> create(cluster.admin(), "nb-badkey", "\"not a name!\": x"))
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("property names must be label-style qualified names");
        assertThatThrownBy(() -> create(cluster.admin(), "nb-long", "example.org/long: " + "x".repeat(1025)))
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("spec.properties");
    }

    private static void create(KubernetesClient admin, String name, String propertiesYaml) {
        String yaml = """
                apiVersion: kubespawner.jupyterhub.org/v1
                kind: JupyterNotebookInstance
                metadata:
                  name: %s
                spec:
                  template:
                    name: z2jh-default
                  properties:
                    %s
                """.formatted(name, propertiesYaml);
        admin.resources(JupyterNotebookInstance.class)
                .inNamespace(ns)
                .resource(Serialization.unmarshal(yaml, JupyterNotebookInstance.class))
                .create();
    }

    /** What the notebook operator would write once the server is up. */
    private static void ready(KubernetesClient admin, String name) {
        JupyterNotebookInstance instance = admin.resources(JupyterNotebookInstance.class)
                .inNamespace(ns)
                .withName(name)
                .get();
        instance.setStatus(new JupyterNotebookInstanceStatusBuilder()
                .withPhase(JupyterNotebookInstanceStatus.Phase.READY)
                .withUrl("http://127.0.0.1:8888")
                .build());
        admin.resources(JupyterNotebookInstance.class)
                .inNamespace(ns)
                .resource(instance)
                .updateStatus();
    }

    private static List<Event> events(KubernetesClient admin, String name) {
        return admin.events().v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> name.equals(e.getRegarding().getName()))
                .filter(e -> CostCentreController.REPORTING_CONTROLLER.equals(e.getReportingController()))
                .toList();
    }
}
