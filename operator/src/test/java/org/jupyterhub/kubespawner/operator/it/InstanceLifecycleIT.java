package org.jupyterhub.kubespawner.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.jupyterhub.kubespawner.operator.it.Fixtures.awaitInstance;
import static org.jupyterhub.kubespawner.operator.it.Fixtures.eventsAbout;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.jupyterhub.kubespawner.e2e.ControlPlane;
import org.jupyterhub.kubespawner.operator.ManagedLabels;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus.Phase;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;

/**
 * The repository's example (Zero-to-JupyterHub template, instance, token Secret) from creation to Ready and back:
 * owned objects go with the instance, the user's claim stays.
 */
class InstanceLifecycleIT {

    @RegisterExtension
    static final ControlPlane cluster = ControlPlane.perClass();

    private static RunningOperator operator;

    private static final String INSTANCE = "jupyter-ada-lovelace-example-org---7799473f";
    private static final String POD = "jupyter-ada-lovelace-example-org---7799473f";
    private static final String CLAIM = "claim-ada-lovelace-example-org---7799473f";

    @BeforeAll
    static void startOperator() {
        cluster.applyCrds();
        operator = RunningOperator.start(cluster, Duration.ofMinutes(2), cluster.namespace());
    }

    @AfterAll
    static void stopOperator() {
        Fixtures.releaseInstances(cluster.admin(), cluster.namespace());
        if (operator != null) {
            operator.close();
        }
        Fixtures.deleteVolumes(cluster.admin(), cluster.namespace());
    }

    @Test
    void exampleInstanceBecomesReadyThenDeletionKeepsOnlyTheClaim() {
        KubernetesClient admin = cluster.admin();
        String ns = cluster.namespace();
        Fixtures.volumeFor(admin, ns, CLAIM);
        for (String file : List.of("z2jh-default-template.yaml", "instance-secret.yaml", "instance.yaml")) {
            for (HasMetadata item : Fixtures.examples(cluster, file, ns)) {
                admin.resource(item).create();
            }
        }

        JupyterNotebookInstance ready = awaitInstance(admin, ns, INSTANCE, Fixtures.phase(Phase.READY));
        Pod pod = admin.pods().inNamespace(ns).withName(POD).get();
        assertThat(ready.getStatus().getPodName()).isEqualTo(POD);
        // The operator writes the status subresource only: no finalizer, no field of the hub's it would own.
        assertThat(ready.getMetadata().getFinalizers()).isNullOrEmpty();
        assertThat(ready.getMetadata().getManagedFields())
                .filteredOn(f -> !"status".equals(f.getSubresource()))
                .extracting(f -> f.getManager())
                .doesNotContain("jupyternotebookinstance");
        assertThat(ready.getStatus().getPodIP())
                .isEqualTo(pod.getStatus().getPodIP())
                .isNotBlank();
        assertThat(ready.getStatus().getPort()).isEqualTo(8888);
        assertThat(ready.getStatus().getUrl())
                .isEqualTo("http://" + pod.getStatus().getPodIP() + ":8888");
        assertThat(ready.getStatus().getObservedGeneration())
                .isEqualTo(ready.getMetadata().getGeneration());
        assertThat(ready.getStatus().getTemplateGeneration()).isEqualTo(1L);
        assertThat(ready.getStatus().getConditions())
                .extracting(Condition::getType, Condition::getStatus)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("TemplateResolved", "True"),
                        org.assertj.core.groups.Tuple.tuple("ResourcesCreated", "True"),
                        org.assertj.core.groups.Tuple.tuple("Ready", "True"),
                        org.assertj.core.groups.Tuple.tuple("UpToDate", "True"));
        assertThat(ready.getStatus().getResources())
                .extracting(r -> r.getKind() + "/" + r.getName() + "=" + r.getState())
                .containsExactly(
                        "PersistentVolumeClaim/" + CLAIM + "=Retained",
                        "NetworkPolicy/singleuser-ada-lovelace-example-org---7799473f=Created",
                        "Pod/" + POD + "=Ready");

        // The pod: owned, labelled for the operator and for Z2JH, the hub's environment and Secret, the hub's args.
        assertThat(pod.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
            assertThat(o.getKind()).isEqualTo("JupyterNotebookInstance");
            assertThat(o.getUid()).isEqualTo(ready.getMetadata().getUid());
            assertThat(o.getController()).isTrue();
            assertThat(o.getBlockOwnerDeletion()).isTrue();
        });
        assertThat(pod.getMetadata().getLabels())
                .containsEntry(ManagedLabels.MANAGED_BY, ManagedLabels.MANAGED_BY_VALUE)
                .containsEntry(ManagedLabels.INSTANCE, INSTANCE)
                .containsEntry("component", "singleuser-server")
                .containsEntry("hub.jupyter.org/username", "ada-lovelace-example-org---7799473f");
        Container notebook = pod.getSpec().getContainers().get(0);
        assertThat(notebook.getEnv())
                .extracting(e -> e.getName() + "=" + e.getValue())
                .contains(
                        "JUPYTER_IMAGE_SPEC=quay.io/jupyterhub/k8s-singleuser-sample:4.4.0",
                        // KubeSpawner's reading of Z2JH's "1G": 1024-based, as the template writes it
                        "MEM_GUARANTEE=1073741824",
                        "JUPYTERHUB_API_URL=http://hub:8081/hub/api",
                        "JUPYTERHUB_USER=ada.lovelace@example.org");
        assertThat(notebook.getEnv()).noneMatch(e -> e.getName().contains("TOKEN"));
        assertThat(notebook.getEnvFrom())
                .singleElement()
                .satisfies(f -> assertThat(f.getSecretRef().getName()).isEqualTo(INSTANCE));
        assertThat(notebook.getArgs()).containsExactly("jupyterhub-singleuser");

        // The claim: managed labels, but no owner, so the garbage collector never deletes the user's data.
        PersistentVolumeClaim claim =
                admin.persistentVolumeClaims().inNamespace(ns).withName(CLAIM).get();
        assertThat(claim.getMetadata().getOwnerReferences()).isNullOrEmpty();
        assertThat(claim.getMetadata().getLabels()).containsEntry(ManagedLabels.INSTANCE, INSTANCE);
        NetworkPolicy policy = admin.network()
                .v1()
                .networkPolicies()
                .inNamespace(ns)
                .withName("singleuser-ada-lovelace-example-org---7799473f")
                .get();
        assertThat(policy.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(o ->
                        assertThat(o.getUid()).isEqualTo(ready.getMetadata().getUid()));

        // The template was checked, and every decision is an Event.
        JupyterNotebookInstanceTemplate template = admin.resources(JupyterNotebookInstanceTemplate.class)
                .inNamespace(ns)
                .withName("z2jh-default")
                .get();
        await().atMost(Fixtures.WAIT)
                .until(() -> admin.resources(JupyterNotebookInstanceTemplate.class)
                                .inNamespace(ns)
                                .withName("z2jh-default")
                                .get()
                                .getStatus()
                        != null);
        assertThat(admin.resources(JupyterNotebookInstanceTemplate.class)
                        .inNamespace(ns)
                        .withName("z2jh-default")
                        .get()
                        .getStatus()
                        .getConditions())
                .singleElement()
                .satisfies(c -> assertThat(c.getType() + "=" + c.getStatus()).isEqualTo("Valid=True"));
        await().atMost(Fixtures.WAIT)
                .untilAsserted(() -> assertThat(eventsAbout(admin, ns, INSTANCE))
                        .extracting(Event::getReason)
                        .contains("TemplateFound", "ResourceCreated", "PodReady"));
        assertThat(eventsAbout(admin, ns, INSTANCE)).allSatisfy(e -> {
            assertThat(e.getType()).isEqualTo("Normal");
            assertThat(e.getReportingController()).isEqualTo("kubespawner.jupyterhub.org/operator");
        });

        // Reconciling again with nothing changed writes nothing (no now() churn in status).
        String statusVersion = ready.getMetadata().getResourceVersion();
        // (A pod update that changes nothing the status is made of does not even wake the instance:
        // PodClassifier.changesObservation; whatever reconciles meanwhile must not write either.)
        admin.pods().inNamespace(ns).withName(POD).edit(p -> {
            p.getMetadata().getAnnotations().put("jno-it/poke", "changes nothing the status is made of");
            return p;
        });
        await().pollDelay(Duration.ofSeconds(2)).atMost(Fixtures.WAIT).until(() -> true);
        assertThat(admin.resources(JupyterNotebookInstance.class)
                        .inNamespace(ns)
                        .withName(INSTANCE)
                        .get()
                        .getMetadata()
                        .getResourceVersion())
                .isEqualTo(statusVersion);

        // A template change never touches the running pod; the instance says it is out of date.
        String podUid = pod.getMetadata().getUid();
        template.getSpec().setDescription("changed while a server runs");
        admin.resource(template).update();
        JupyterNotebookInstance stale = awaitInstance(
                admin,
                ns,
                INSTANCE,
                s -> s.getConditions().stream()
                        .anyMatch(c ->
                                c.getType().equals("UpToDate") && c.getStatus().equals("False")));
        assertThat(stale.getStatus().getPhase()).isEqualTo(Phase.READY);
        assertThat(stale.getStatus().getConditions())
                .filteredOn(c -> c.getType().equals("UpToDate"))
                .singleElement()
                .satisfies(c -> assertThat(c.getReason()).isEqualTo("TemplateChanged"));
        assertThat(admin.pods()
                        .inNamespace(ns)
                        .withName(POD)
                        .get()
                        .getMetadata()
                        .getUid())
                .isEqualTo(podUid);

        // Deletion: the garbage collector removes what the instance owns; the claim stays, with an Event saying so.
        admin.resources(JupyterNotebookInstance.class)
                .inNamespace(ns)
                .withName(INSTANCE)
                .delete();
        await().atMost(Fixtures.WAIT).untilAsserted(() -> {
            assertThat(admin.resources(JupyterNotebookInstance.class)
                            .inNamespace(ns)
                            .withName(INSTANCE)
                            .get())
                    .isNull();
            assertThat(admin.pods().inNamespace(ns).withName(POD).get()).isNull();
            assertThat(admin.network()
                            .v1()
                            .networkPolicies()
                            .inNamespace(ns)
                            .withName("singleuser-ada-lovelace-example-org---7799473f")
                            .get())
                    .isNull();
        });
        assertThat(admin.persistentVolumeClaims()
                        .inNamespace(ns)
                        .withName(CLAIM)
                        .get())
                .isNotNull();
        await().atMost(Fixtures.WAIT)
                .untilAsserted(() -> assertThat(eventsAbout(admin, ns, INSTANCE))
                        .filteredOn(e -> "ClaimRetained".equals(e.getReason()))
                        .singleElement()
                        .satisfies(e -> assertThat(e.getNote()).contains(CLAIM)));
    }

    @Test
    void aClaimBoundLateIsWaitedForAsProgressNotTrouble() {
        KubernetesClient admin = cluster.admin();
        String ns = cluster.namespace();
        admin.resource(Fixtures.template(ns, "with-home", """
        volumes:
        - name: home
          persistentVolumeClaim:
            claimName: home-{user}
        """, """
        persistentVolumeClaims:
        - name: home-{user}
          whenDeleted: Delete
          spec:
            accessModes: [ReadWriteOnce]
            resources:
              requests:
                storage: 1Gi
        """)).create();
        admin.resource(Fixtures.instance(ns, "late-home", "with-home", "user: grace", null))
                .create();

        // No volume yet: the scheduler waits for the claim, and so does the instance, without alarming anyone.
        JupyterNotebookInstance waiting = awaitInstance(
                admin,
                ns,
                "late-home",
                s -> s.getConditions().stream()
                        .anyMatch(c -> c.getType().equals("Ready") && "ClaimPending".equals(c.getReason())));
        assertThat(waiting.getStatus().getPhase()).isEqualTo(Phase.PROVISIONING);
        assertThat(waiting.getStatus().getMessage())
                .contains("nb-grace waits for its PersistentVolumeClaims to be bound");
        await().atMost(Fixtures.WAIT)
                .untilAsserted(() -> assertThat(eventsAbout(admin, ns, "late-home"))
                        .anySatisfy(e ->
                                assertThat(e.getType() + "/" + e.getReason()).isEqualTo("Normal/ClaimPending")));

        Fixtures.volumeFor(admin, ns, "home-grace");
        awaitInstance(admin, ns, "late-home", Fixtures.phase(Phase.READY));
        await().atMost(Fixtures.WAIT)
                .untilAsserted(() -> assertThat(eventsAbout(admin, ns, "late-home"))
                        .extracting(Event::getReason)
                        .contains("PodReady"));
        assertThat(eventsAbout(admin, ns, "late-home"))
                .extracting(Event::getType)
                .containsOnly("Normal");
    }
}
