package org.jupyterhub.kubespawner.operator.instance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.jupyterhub.kubespawner.events.EventType;
import org.jupyterhub.kubespawner.operator.OperatorMetrics;
import org.jupyterhub.kubespawner.operator.template.CompiledTemplates;
import org.jupyterhub.kubespawner.operator.vocabulary.Action;
import org.jupyterhub.kubespawner.operator.vocabulary.ConditionTypes;
import org.jupyterhub.kubespawner.operator.vocabulary.Reason;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus.Phase;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;

/**
 * One reconcile at a time over an in-memory cluster: the outcome (status, Events, what was created) of every path
 * a spawn can take, including each way a hostile or careless hub could reach objects that are not its user's.
 */
class InstanceReconcileTest {

    static final String NS = "hub";
    static final String HUB_LABEL = "app.kubernetes.io/managed-by=notebookinstance-spawner";
    static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");

    private final FakeCluster cluster = new FakeCluster();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private Instant now = T0;

    static JupyterNotebookInstanceTemplate template(String policyExtra) {
        JupyterNotebookInstanceTemplate t = Serialization.unmarshal(
                """
                apiVersion: kubespawner.jupyterhub.org/v1
                kind: JupyterNotebookInstanceTemplate
                metadata: {name: home, namespace: hub, uid: t-uid, generation: 2}
                spec:
                  variables:
                  - {name: user, required: true, pattern: '[a-z0-9-]+'}
                  - {name: unescaped_user, default: ''}
                  pods:
                  - name: jupyter-{user}
                    spec:
                      containers:
                      - {name: notebook, image: 'quay.io/jupyter/base-notebook:2025-03-14'}
                  persistentVolumeClaims:
                  - name: claim-{user}
                    annotations: {hub.jupyter.org/username: '{unescaped_user}'}
                    labels: {hub.jupyter.org/username: '{user}'}
                    spec:
                      accessModes: [ReadWriteOnce]
                      resources: {requests: {storage: 1Gi}}
                  networkPolicies:
                  - name: np-{user}
                    spec: {podSelector: {}}
                  policy:
                    allowedImages: [quay.io/jupyter/*]
                %s
                """.formatted(policyExtra == null ? "" : policyExtra.indent(4)), JupyterNotebookInstanceTemplate.class);
        return t;
    }

    static JupyterNotebookInstance instance(String name, String user, String unescaped) {
        JupyterNotebookInstance i =
                Serialization.unmarshal("""
                apiVersion: kubespawner.jupyterhub.org/v1
                kind: JupyterNotebookInstance
                metadata: {name: %1$s, namespace: hub, uid: uid-%1$s, generation: 1,
                  creationTimestamp: '2026-01-01T10:00:00Z'}
                spec:
                  template: {name: home}
                  variables: {user: %2$s, unescaped_user: '%3$s'}
                  envSecretRef: {name: %1$s}
                """.formatted(name, user, unescaped), JupyterNotebookInstance.class);
        return i;
    }

    private InstanceReconcile steps(int maxSpawns) {
        return new InstanceReconcile(
                new InstanceReconciler.Settings(
                        new CompiledTemplates(),
                        Duration.ofMinutes(5),
                        maxSpawns,
                        HUB_LABEL,
                        new OperatorMetrics(registry),
                        new Clock() {
                            @Override
                            public ZoneOffset getZone() {
                                return ZoneOffset.UTC;
                            }

                            @Override
                            public Clock withZone(java.time.ZoneId zone) {
                                return this;
                            }

                            @Override
                            public Instant instant() {
                                return now;
                            }
                        }),
                cluster);
    }

    private void hubSecretFor(String instance) {
        cluster.secret(
                NS,
                instance,
                Map.of(
                        "app.kubernetes.io/managed-by",
                        "notebookinstance-spawner",
                        "kubespawner.jupyterhub.org/instance",
                        instance));
    }

    /** Applies the outcome's status as the API server would, and returns the instance as the next reconcile sees it. */
    private static JupyterNotebookInstance written(JupyterNotebookInstance i, InstanceReconcile.Outcome outcome) {
        if (outcome.result() != null) {
            i.setStatus(outcome.result().status());
        }
        return i;
    }

    private static String condition(JupyterNotebookInstanceStatus s, String type) {
        Condition c = s.getConditions().stream()
                .filter(x -> x.getType().equals(type))
                .findFirst()
                .orElseThrow();
        return c.getStatus() + "/" + c.getReason();
    }

    @Test
    void aSpawnCreatesInOrderHoldsItsFirstStatusThenReportsReadyOnce() {
        cluster.template(template(null));
        hubSecretFor("jupyter-ada");
        InstanceReconcile steps = steps(10);
        JupyterNotebookInstance ada = instance("jupyter-ada", "ada", "Ada");

        InstanceReconcile.Outcome first = steps.reconcile(ada);

        assertThat(cluster.created)
                .containsExactly(
                        "PersistentVolumeClaim/hub/claim-ada", "NetworkPolicy/hub/np-ada", "Pod/hub/jupyter-ada");
        assertThat(first.result())
                .as("the first status waits for a pod starting without trouble")
                .isNull();
        assertThat(first.recheckAfter()).isPositive();
        assertThat(first.decisions())
                .extracting(InstanceEvents.Decision::reason)
                .containsExactly(Reason.ResourceCreated, Reason.ResourceCreated, Reason.ResourceCreated);
        assertThat(registry.get("jno.instance.objects")
                        .tag("kind", "Pod")
                        .counter()
                        .count())
                .isEqualTo(1.0);

        cluster.podReady(NS, "jupyter-ada", "10.0.0.7");
        now = T0.plusMillis(500);
        InstanceReconcile.Outcome ready = steps.reconcile(ada);

        assertThat(cluster.created).as("nothing created twice").hasSize(3);
        JupyterNotebookInstanceStatus s = ready.result().status();
        assertThat(s.getPhase()).isEqualTo(Phase.READY);
        assertThat(s.getUrl()).isEqualTo("http://10.0.0.7:8888");
        assertThat(ready.decisions())
                .extracting(InstanceEvents.Decision::type, InstanceEvents.Decision::reason)
                .containsExactly(
                        tuple(EventType.NORMAL, Reason.TemplateFound), tuple(EventType.NORMAL, Reason.PodReady));
        assertThat(cluster.<PersistentVolumeClaim>get("PersistentVolumeClaim", NS, "claim-ada")
                        .getMetadata()
                        .getOwnerReferences())
                .as("a retained claim outlives its instance: no owner")
                .isEmpty();

        InstanceReconcile.Outcome again = steps.reconcile(written(ada, ready));
        assertThat(again.changes(ada.getStatus()))
                .as("no status write while nothing changed")
                .isFalse();
        assertThat(again.decisions()).isEmpty();
    }

    @Test
    void aColliderNeverGetsAnotherUsersPod() {
        cluster.template(template(null));
        hubSecretFor("jupyter-mallory");
        Pod victim = cluster.put(new PodBuilder()
                .withNewMetadata()
                .withName("jupyter-ada")
                .withNamespace(NS)
                .addToLabels("app.kubernetes.io/managed-by", "jupyter-notebook-operator")
                .addToLabels("kubespawner.jupyterhub.org/instance", "jupyter-ada")
                .withOwnerReferences(new OwnerReferenceBuilder()
                        .withKind("JupyterNotebookInstance")
                        .withName("jupyter-ada")
                        .withUid("uid-jupyter-ada")
                        .withController(true)
                        .build())
                .endMetadata()
                .build());
        // The hub names variables that render ada's pod name for mallory's instance.
        JupyterNotebookInstance mallory = instance("jupyter-mallory", "ada", "Mallory");

        InstanceReconcile.Outcome outcome = steps(10).reconcile(mallory);

        JupyterNotebookInstanceStatus s = outcome.result().status();
        assertThat(s.getPhase()).isEqualTo(Phase.FAILED);
        assertThat(condition(s, ConditionTypes.READY)).isEqualTo("False/NameConflict");
        assertThat(condition(s, ConditionTypes.RESOURCES_CREATED)).isEqualTo("False/NameConflict");
        assertThat(s.getMessage())
                .contains("Pod jupyter-ada", "JupyterNotebookInstance jupyter-ada", "uid-jupyter-ada");
        assertThat(s.getPodIP()).isNull();
        assertThat(outcome.decisions())
                .filteredOn(d -> d.reason() == Reason.NameConflict)
                .singleElement()
                .satisfies(d -> {
                    assertThat(d.type()).isEqualTo(EventType.WARNING);
                    assertThat(d.action()).isEqualTo(Action.Create);
                });
        assertThat(cluster.<Pod>get("Pod", NS, "jupyter-ada"))
                .as("the victim's pod untouched")
                .isEqualTo(victim);
    }

    @Test
    void anotherUsersRetainedClaimIsNeverMounted() {
        cluster.template(template("userIdentity: '{unescaped_user}'"));
        hubSecretFor("jupyter-ada-2");
        PersistentVolumeClaim adas = cluster.put(claim(
                "claim-ada",
                Map.of(
                        "app.kubernetes.io/managed-by", "jupyter-notebook-operator",
                        "kubespawner.jupyterhub.org/instance", "jupyter-ada")));

        InstanceReconcile.Outcome outcome = steps(10).reconcile(instance("jupyter-ada-2", "ada", "Ada"));

        assertThat(outcome.result().status().getPhase()).isEqualTo(Phase.FAILED);
        assertThat(outcome.result().status().getMessage())
                .contains("PersistentVolumeClaim claim-ada", "instance jupyter-ada");
        assertThat(cluster.created).as("no pod mounts it").isEmpty();
        assertThat(cluster.<PersistentVolumeClaim>get("PersistentVolumeClaim", NS, "claim-ada"))
                .isEqualTo(adas);
    }

    @Test
    void theSameUsersRetainedClaimIsUsedAgainAndSaysSo() {
        cluster.template(template("userIdentity: '{unescaped_user}'"));
        hubSecretFor("jupyter-ada");
        PersistentVolumeClaim mine = claim(
                "claim-ada",
                Map.of(
                        "app.kubernetes.io/managed-by", "jupyter-notebook-operator",
                        "kubespawner.jupyterhub.org/instance", "jupyter-ada"));
        mine.getMetadata().setAnnotations(Map.of(Ownership.USER_IDENTITY, "Ada"));
        cluster.put(mine);
        now = T0.plusSeconds(10); // past the first-status grace: the status is written at once

        InstanceReconcile.Outcome outcome = steps(10).reconcile(instance("jupyter-ada", "ada", "Ada"));

        assertThat(cluster.created).containsExactly("NetworkPolicy/hub/np-ada", "Pod/hub/jupyter-ada");
        assertThat(outcome.result().status().getResources())
                .filteredOn(r -> r.getKind().equals("PersistentVolumeClaim"))
                .singleElement()
                .satisfies(r -> assertThat(r.getMessage()).contains("already existed"));
        assertThat(outcome.decisions())
                .extracting(InstanceEvents.Decision::reason)
                .contains(Reason.ResourceExisted);
    }

    @Test
    void aClaimStampedForAnotherIdentityIsAConflictEvenUnderTheSameInstanceName() {
        cluster.template(template("userIdentity: '{unescaped_user}'"));
        hubSecretFor("jupyter-ada");
        PersistentVolumeClaim earlier = claim(
                "claim-ada",
                Map.of(
                        "app.kubernetes.io/managed-by", "jupyter-notebook-operator",
                        "kubespawner.jupyterhub.org/instance", "jupyter-ada"));
        earlier.getMetadata().setAnnotations(Map.of(Ownership.USER_IDENTITY, "Ada Lovelace"));
        cluster.put(earlier);

        InstanceReconcile.Outcome outcome = steps(10).reconcile(instance("jupyter-ada", "ada", "Ada Byron"));

        assertThat(condition(outcome.result().status(), ConditionTypes.READY)).isEqualTo("False/NameConflict");
        assertThat(outcome.result().status().getMessage()).contains("'Ada Lovelace'");
    }

    @Test
    void kubeSpawnerClaimsAreAdoptedOnlyWhenTheTemplateOptsInAndForTheSameUser() {
        PersistentVolumeClaim kubeSpawners = claim(
                "claim-ada",
                Map.of(
                        "component", "singleuser-storage",
                        "app.kubernetes.io/managed-by", "kubespawner",
                        "hub.jupyter.org/username", "ada"));
        kubeSpawners.getMetadata().setAnnotations(Map.of("hub.jupyter.org/username", "ada@example.org"));
        kubeSpawners = cluster.put(kubeSpawners);
        hubSecretFor("jupyter-ada");
        now = T0.plusSeconds(10);

        cluster.template(template(null));
        InstanceReconcile.Outcome refused = steps(10).reconcile(instance("jupyter-ada", "ada", "ada@example.org"));
        assertThat(condition(refused.result().status(), ConditionTypes.READY)).isEqualTo("False/NameConflict");
        assertThat(refused.result().status().getMessage()).contains("KubeSpawner", "adoptKubeSpawnerClaims");

        cluster.template(template("adoptKubeSpawnerClaims: true"));
        InstanceReconcile.Outcome other = steps(10).reconcile(instance("jupyter-ada", "ada", "eve@example.org"));
        assertThat(condition(other.result().status(), ConditionTypes.READY)).isEqualTo("False/NameConflict");
        assertThat(other.result().status().getMessage()).contains("another user", "'ada@example.org'");
        assertThat(cluster.created)
                .as("refused twice: nothing created in its place")
                .isEmpty();

        InstanceReconcile.Outcome adopted = steps(10).reconcile(instance("jupyter-ada", "ada", "ada@example.org"));
        assertThat(adopted.decisions())
                .filteredOn(d -> d.reason() == Reason.ClaimAdopted)
                .singleElement()
                .satisfies(d -> {
                    assertThat(d.type()).isEqualTo(EventType.NORMAL);
                    assertThat(d.action()).isEqualTo(Action.Adopt);
                    assertThat(d.note()).contains("'ada@example.org'");
                });
        assertThat(cluster.created).containsExactly("NetworkPolicy/hub/np-ada", "Pod/hub/jupyter-ada");
        assertThat(cluster.<PersistentVolumeClaim>get("PersistentVolumeClaim", NS, "claim-ada"))
                .as("adopted as it is: not modified")
                .isEqualTo(kubeSpawners);
    }

    @Test
    void aForeignSecretIsRefusedBeforeAnythingIsCreated() {
        cluster.template(template(null));
        cluster.secret(NS, "jupyter-ada", Map.of("app", "database")); // an admin's Secret, no hub label
        InstanceReconcile.Outcome admins = steps(10).reconcile(instance("jupyter-ada", "ada", "Ada"));
        assertThat(condition(admins.result().status(), ConditionTypes.READY)).isEqualTo("False/SecretRejected");
        assertThat(admins.result().status().getMessage())
                .contains("spec.envSecretRef.name", "app.kubernetes.io/managed-by=notebookinstance-spawner");

        hubSecretFor("jupyter-bob");
        JupyterNotebookInstance stealing = instance("jupyter-mallory", "mallory", "Mallory");
        stealing.getSpec().getEnvSecretRef().setName("jupyter-bob");
        InstanceReconcile.Outcome bobs = steps(10).reconcile(stealing);
        assertThat(bobs.result().status().getMessage()).contains("written for instance jupyter-bob");
        assertThat(bobs.decisions())
                .filteredOn(d -> d.reason() == Reason.SecretRejected)
                .singleElement()
                .satisfies(d -> assertThat(d.type()).isEqualTo(EventType.WARNING));
        assertThat(cluster.created).isEmpty();
    }

    @Test
    void spawnsBeyondTheLimitQueueUntilASlotIsFree() {
        cluster.template(template(null));
        hubSecretFor("jupyter-ada");
        hubSecretFor("jupyter-bob");
        InstanceReconcile steps = steps(1);
        now = T0.plusSeconds(10);
        JupyterNotebookInstance ada =
                written(instance("jupyter-ada", "ada", "Ada"), steps.reconcile(instance("jupyter-ada", "ada", "Ada")));
        assertThat(ada.getStatus().getPhase()).isEqualTo(Phase.PROVISIONING);

        JupyterNotebookInstance bob = instance("jupyter-bob", "bob", "Bob");
        InstanceReconcile.Outcome queued = steps.reconcile(bob);
        assertThat(queued.result().status().getPhase()).isEqualTo(Phase.PENDING);
        assertThat(condition(queued.result().status(), ConditionTypes.READY)).isEqualTo("False/SpawnQueued");
        assertThat(queued.result().status().getMessage()).contains("maxConcurrentSpawns is 1");
        assertThat(queued.recheckAfter()).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(3));
        assertThat(queued.decisions())
                .filteredOn(d -> d.reason() == Reason.SpawnQueued)
                .singleElement()
                .satisfies(d -> assertThat(d.type()).isEqualTo(EventType.NORMAL));
        assertThat(cluster.reads).as("a queued spawn costs no API read").doesNotContain("Secret/hub/jupyter-bob");

        cluster.podReady(NS, "jupyter-ada", "10.0.0.7");
        steps.reconcile(ada);
        written(bob, queued);
        steps.reconcile(bob);
        assertThat(cluster.created).contains("Pod/hub/jupyter-bob");
    }

    @Test
    void aPassingCreateFailureIsRetriedWithAFullStatusAndOneWarning() {
        cluster.template(template(null));
        hubSecretFor("jupyter-ada");
        cluster.createFailures.put("Pod", new KubernetesClientException("exceeded quota: pods=0", 403, null));

        assertThatThrownBy(() -> steps(10).reconcile(instance("jupyter-ada", "ada", "Ada")))
                .isInstanceOfSatisfying(InstanceReconcile.CreateRetrying.class, e -> {
                    JupyterNotebookInstanceStatus s = e.outcome().result().status();
                    assertThat(s.getPhase()).isEqualTo(Phase.PENDING);
                    assertThat(s.getConditions())
                            .extracting(Condition::getType)
                            .containsExactly("TemplateResolved", "ResourcesCreated", "Ready", "UpToDate");
                    assertThat(condition(s, ConditionTypes.RESOURCES_CREATED)).isEqualTo("False/CreateRetrying");
                    assertThat(s.getMessage()).contains("retrying", "exceeded quota");
                    assertThat(e.outcome().decisions())
                            .extracting(InstanceEvents.Decision::type, InstanceEvents.Decision::reason)
                            .contains(tuple(EventType.WARNING, Reason.CreateRetrying));
                });
    }

    @Test
    void aFailureAfterTheSpawnIsNotReportedAsAFailedCreate() {
        cluster.template(template(null));
        hubSecretFor("jupyter-ada");
        InstanceReconcile steps = steps(10);
        now = T0.plusSeconds(10);
        JupyterNotebookInstance ada = instance("jupyter-ada", "ada", "Ada");
        written(ada, steps.reconcile(ada));
        cluster.createFailures.put("Pod", new KubernetesClientException("exceeded quota", 403, null));

        InstanceReconcile.Outcome later = steps.reconcile(ada);

        assertThat(later.decisions())
                .extracting(InstanceEvents.Decision::reason)
                .doesNotContain(Reason.CreateRetrying);
        assertThat(later.result().status().getPhase()).isEqualTo(Phase.PROVISIONING);
    }

    @Test
    void aPodOfTheSameNameThatIsNotThisInstancesIsNeverMirrored() {
        cluster.template(template(null));
        hubSecretFor("jupyter-ada");
        InstanceReconcile steps = steps(10);
        now = T0.plusSeconds(10);
        JupyterNotebookInstance ada = instance("jupyter-ada", "ada", "Ada");
        written(ada, steps.reconcile(ada));
        // Ada's pod is deleted; another instance's pod appears under the name.
        Pod foreign = new PodBuilder(cluster.<Pod>get("Pod", NS, "jupyter-ada")).build();
        foreign.getMetadata().getOwnerReferences().get(0).setUid("uid-someone-else");
        cluster.objects.put("Pod/hub/jupyter-ada", foreign);
        cluster.podReady(NS, "jupyter-ada", "10.9.9.9");

        JupyterNotebookInstanceStatus s = steps.reconcile(ada).result().status();

        assertThat(s.getPhase()).isEqualTo(Phase.FAILED);
        assertThat(condition(s, ConditionTypes.READY)).isEqualTo("False/NameConflict");
        assertThat(s.getPodIP()).isNull();
        assertThat(s.getUrl()).isNull();
    }

    @Test
    void anEarlierInstancesObjectBeingRemovedIsAwaitedNotAConflict() {
        cluster.template(template(null));
        hubSecretFor("jupyter-ada");
        cluster.put(new PodBuilder()
                .withNewMetadata()
                .withName("jupyter-ada")
                .withNamespace(NS)
                .withOwnerReferences(new OwnerReferenceBuilder()
                        .withKind("JupyterNotebookInstance")
                        .withName("jupyter-ada")
                        .withUid("uid-of-the-previous-jupyter-ada")
                        .withController(true)
                        .build())
                .endMetadata()
                .build());

        InstanceReconcile.Outcome outcome = steps(10).reconcile(instance("jupyter-ada", "ada", "Ada"));

        assertThat(outcome.result().status().getPhase()).isEqualTo(Phase.PENDING);
        assertThat(condition(outcome.result().status(), ConditionTypes.READY)).isEqualTo("False/ObjectTerminating");
        assertThat(outcome.recheckAfter()).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(3));
    }

    @Test
    void anInstanceBeingDeletedSaysTerminatingAndCreatesNothing() {
        cluster.template(template(null));
        hubSecretFor("jupyter-ada");
        JupyterNotebookInstance ada = instance("jupyter-ada", "ada", "Ada");
        ada.getMetadata().setDeletionTimestamp("2026-01-01T10:00:05Z");

        InstanceReconcile.Outcome outcome = steps(10).reconcile(ada);

        assertThat(outcome.result().status().getPhase()).isEqualTo(Phase.TERMINATING);
        assertThat(cluster.created).isEmpty();
    }

    @Test
    void aDeletedInstanceTellsWhichClaimsStay() {
        cluster.template(template(null));
        hubSecretFor("jupyter-ada");
        InstanceReconcile steps = steps(10);
        now = T0.plusSeconds(10);
        JupyterNotebookInstance ada = instance("jupyter-ada", "ada", "Ada");
        written(ada, steps.reconcile(ada));

        assertThat(steps.gone(ada)).singleElement().satisfies(d -> {
            assertThat(d.reason()).isEqualTo(Reason.ClaimRetained);
            assertThat(d.related()).isNotNull();
            assertThat(d.note()).contains("claim-ada");
        });
    }

    private static PersistentVolumeClaim claim(String name, Map<String, String> labels) {
        return new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(NS)
                .withLabels(labels)
                .endMetadata()
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .endSpec()
                .build();
    }
}
