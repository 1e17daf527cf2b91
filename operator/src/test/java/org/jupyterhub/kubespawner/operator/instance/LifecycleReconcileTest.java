package org.jupyterhub.kubespawner.operator.instance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.jupyterhub.kubespawner.events.EventType;
import org.jupyterhub.kubespawner.operator.OperatorMetrics;
import org.jupyterhub.kubespawner.operator.activity.ActivityReading;
import org.jupyterhub.kubespawner.operator.template.CompiledTemplates;
import org.jupyterhub.kubespawner.operator.vocabulary.Action;
import org.jupyterhub.kubespawner.operator.vocabulary.ConditionTypes;
import org.jupyterhub.kubespawner.operator.vocabulary.Reason;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus.Phase;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancestatus.Suspension;

/**
 * Suspend and resume, the lifetime limits and deprecations, one reconcile at a time over the in-memory cluster:
 * what is deleted and kept, what status and Events say, and that nothing is written while nothing changes.
 */
class LifecycleReconcileTest {

    static final String NS = "hub";
    static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
    private static final KubernetesSerialization JSON = new KubernetesSerialization();

    private final FakeCluster cluster = new FakeCluster();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private Instant now = T0;
    private final InstanceReconcile steps = new InstanceReconcile(
            new InstanceReconciler.Settings(
                    new CompiledTemplates(),
                    Duration.ofMinutes(5),
                    10,
                    "app.kubernetes.io/managed-by=notebookinstance-spawner",
                    new OperatorMetrics(registry),
                    new Clock() {
                        @Override
                        public ZoneOffset getZone() {
                            return ZoneOffset.UTC;
                        }

                        @Override
                        public Clock withZone(ZoneId zone) {
                            return this;
                        }

                        @Override
                        public Instant instant() {
                            return now;
                        }
                    }),
            cluster);

    /** The test template at a generation, with an image, a lifecycle policy and spec-level extras. */
    static JupyterNotebookInstanceTemplate template(long generation, String image, String lifecycle, String extra) {
        return Serialization.unmarshal(
                """
                apiVersion: kubespawner.jupyterhub.org/v1
                kind: JupyterNotebookInstanceTemplate
                metadata: {name: home, namespace: hub, uid: t-uid, generation: %d}
                spec:
                  variables:
                  - {name: user, required: true, pattern: '[a-z0-9-]+'}
                  - {name: flavour, default: classic, enum: [classic, legacy]}
                  pods:
                  - name: jupyter-{user}
                    spec:
                      containers:
                      - {name: notebook, image: '%s'}
                  services:
                  - name: svc-{user}
                    spec: {ports: [{port: 8888}]}
                  persistentVolumeClaims:
                  - name: claim-{user}
                    spec:
                      accessModes: [ReadWriteOnce]
                      resources: {requests: {storage: 1Gi}}
                  networkPolicies:
                  - name: np-{user}
                    spec: {podSelector: {}}
                  policy:
                    allowedImages: [quay.io/jupyter/*]
                %s
                %s
                """.formatted(
                                generation,
                                image,
                                lifecycle == null ? "" : ("lifecycle:\n" + lifecycle.indent(2)).indent(4),
                                extra == null ? "" : extra.indent(2)),
                JupyterNotebookInstanceTemplate.class);
    }

    static JupyterNotebookInstanceTemplate template(String lifecycle) {
        return template(2, "quay.io/jupyter/base-notebook:2025-03-14", lifecycle, null);
    }

    JupyterNotebookInstance instance() {
        cluster.secret(
                NS,
                "jupyter-ada",
                Map.of(
                        "app.kubernetes.io/managed-by", "notebookinstance-spawner",
                        "kubespawner.jupyterhub.org/instance", "jupyter-ada"));
        return Serialization.unmarshal("""
                apiVersion: kubespawner.jupyterhub.org/v1
                kind: JupyterNotebookInstance
                metadata: {name: jupyter-ada, namespace: hub, uid: uid-ada, generation: 1,
                  creationTimestamp: '2026-01-01T10:00:00Z'}
                spec:
                  template: {name: home}
                  variables: {user: ada}
                  envSecretRef: {name: jupyter-ada}
                  env: {JUPYTERHUB_SERVICE_PREFIX: /user/ada/}
                """, JupyterNotebookInstance.class);
    }

    /** The status written and read back as the API server would give it (times parsed anew). */
    static JupyterNotebookInstance written(JupyterNotebookInstance i, InstanceReconcile.Outcome outcome) {
        if (outcome.result() != null) {
            i.setStatus(JSON.unmarshal(JSON.asJson(outcome.result().status()), JupyterNotebookInstanceStatus.class));
        }
        return i;
    }

    static String condition(JupyterNotebookInstanceStatus s, String type) {
        Condition c = s.getConditions().stream()
                .filter(x -> x.getType().equals(type))
                .findFirst()
                .orElse(null);
        return c == null ? null : c.getStatus() + "/" + c.getReason();
    }

    /** Spawns ada's server and makes it Ready; the instance carries the Ready status. */
    JupyterNotebookInstance ready(JupyterNotebookInstance ada) {
        steps.reconcile(ada);
        cluster.podReady(NS, "jupyter-ada", "10.0.0.7");
        now = now.plusSeconds(1);
        InstanceReconcile.Outcome ready = steps.reconcile(ada);
        assertThat(ready.result().status().getPhase()).isEqualTo(Phase.READY);
        return written(ada, ready);
    }

    @Test
    void suspendDeletesThePodKeepsClaimAndPolicyAndResumeCreatesItAgain() {
        cluster.template(template(null));
        JupyterNotebookInstance ada = ready(instance());

        ada.getSpec().setSuspended(true);
        ada.getMetadata().setGeneration(2L);
        now = now.plusSeconds(60);
        InstanceReconcile.Outcome suspended = steps.reconcile(ada);

        JupyterNotebookInstanceStatus s = suspended.result().status();
        assertThat(s.getPhase()).isEqualTo(Phase.SUSPENDED);
        assertThat(condition(s, ConditionTypes.SUSPENDED)).isEqualTo("True/SuspendRequested");
        assertThat(condition(s, ConditionTypes.READY)).isEqualTo("False/Suspended");
        assertThat(s.getSuspension().getRequestedBy()).isEqualTo(Suspension.RequestedBy.HUB);
        assertThat(s.getSuspension().getRendering().getTemplateGeneration()).isEqualTo(2L);
        assertThat(s.getPodIP()).isNull();
        assertThat(cluster.deleted).containsExactly("Pod/hub/jupyter-ada");
        assertThat(cluster.<Pod>get("Pod", NS, "jupyter-ada")).isNull();
        assertThat(cluster.objects).containsKeys("PersistentVolumeClaim/hub/claim-ada", "NetworkPolicy/hub/np-ada");
        assertThat(cluster.objects).as("services stay by default").containsKey("Service/hub/svc-ada");
        assertThat(s.getResources())
                .extracting(r -> r.getKind() + "=" + r.getState())
                .contains("Pod=Deleted", "PersistentVolumeClaim=Retained", "Service=Created");
        assertThat(suspended.decisions())
                .extracting(
                        InstanceEvents.Decision::type, InstanceEvents.Decision::reason, InstanceEvents.Decision::action)
                .containsExactly(tuple(EventType.NORMAL, Reason.SuspendRequested, Action.Suspend));
        assertThat(registry.get("jno.suspensions")
                        .tag("reason", "SuspendRequested")
                        .counter()
                        .count())
                .isEqualTo(1.0);

        assertThat(s.getMessage()).as("the cache still shows the pod").contains("1 object(s) still being deleted");
        InstanceReconcile.Outcome gone = steps.reconcile(written(ada, suspended));
        assertThat(gone.result().status().getMessage()).doesNotContain("still being deleted");
        assertThat(gone.decisions()).as("told once").isEmpty();
        written(ada, gone);
        assertThat(steps.reconcile(ada).changes(ada.getStatus()))
                .as("a suspended server costs no write")
                .isFalse();

        ada.getSpec().setSuspended(false);
        ada.getMetadata().setGeneration(3L);
        now = now.plusSeconds(3600);
        int before = cluster.created.size();
        InstanceReconcile.Outcome resumed = steps.reconcile(ada);
        assertThat(cluster.created.subList(before, cluster.created.size()))
                .as("only the pod is missing")
                .containsExactly("Pod/hub/jupyter-ada");
        assertThat(resumed.decisions())
                .extracting(InstanceEvents.Decision::reason)
                .contains(Reason.ResourceExisted, Reason.ResourceCreated);
        cluster.podReady(NS, "jupyter-ada", "10.0.0.9");
        now = now.plusSeconds(5);
        InstanceReconcile.Outcome running = steps.reconcile(ada);
        s = running.result().status();
        assertThat(s.getPhase()).isEqualTo(Phase.READY);
        assertThat(s.getUrl()).isEqualTo("http://10.0.0.9:8888");
        assertThat(s.getSuspension()).isNull();
        assertThat(condition(s, ConditionTypes.SUSPENDED)).isEqualTo("False/Resumed");
        assertThat(condition(s, ConditionTypes.UP_TO_DATE)).isEqualTo("True/TemplateUnchanged");
        assertThat(running.decisions())
                .extracting(InstanceEvents.Decision::reason)
                .contains(Reason.Resumed);
    }

    @Test
    void aResumeStartsTheKeptRenderingOrTheCurrentGenerationAsTheTemplateSays() {
        cluster.template(template(null));
        JupyterNotebookInstance ada = ready(instance());
        ada.getSpec().setSuspended(true);
        ada = written(ada, steps.reconcile(ada));
        cluster.template(template(3, "quay.io/jupyter/scipy-notebook:2025-06-01", null, null));

        ada.getSpec().setSuspended(false);
        ada.getMetadata().setGeneration(3L);
        steps.reconcile(ada);
        cluster.podReady(NS, "jupyter-ada", "10.0.0.9");
        now = now.plusSeconds(5);
        JupyterNotebookInstanceStatus same = steps.reconcile(ada).result().status();
        assertThat(image()).as("the server the user had").isEqualTo("quay.io/jupyter/base-notebook:2025-03-14");
        assertThat(same.getTemplateGeneration()).isEqualTo(2L);
        assertThat(condition(same, ConditionTypes.UP_TO_DATE)).isEqualTo("False/TemplateChanged");

        cluster.objects.clear();
        cluster.template(template(4, "quay.io/jupyter/scipy-notebook:2025-06-01", "resume: CurrentGeneration", null));
        JupyterNotebookInstance bob = ready(instance());
        bob.getSpec().setSuspended(true);
        bob = written(bob, steps.reconcile(bob));
        assertThat(bob.getStatus().getSuspension().getRendering())
                .as("nothing to keep")
                .isNull();
        cluster.template(template(5, "quay.io/jupyter/r-notebook:2025-06-01", "resume: CurrentGeneration", null));
        bob.getSpec().setSuspended(false);
        bob.getMetadata().setGeneration(3L);
        steps.reconcile(bob);
        cluster.podReady(NS, "jupyter-ada", "10.0.0.10");
        now = now.plusSeconds(5);
        JupyterNotebookInstanceStatus current = steps.reconcile(bob).result().status();
        assertThat(image()).isEqualTo("quay.io/jupyter/r-notebook:2025-06-01");
        assertThat(condition(current, ConditionTypes.UP_TO_DATE)).isEqualTo("True/TemplateUnchanged");
    }

    private String image() {
        return cluster.<Pod>get("Pod", NS, "jupyter-ada")
                .getSpec()
                .getContainers()
                .get(0)
                .getImage();
    }

    @Test
    void aKeptRenderingWhoseImageIsNoLongerAllowedIsRefusedAndStaysSuspended() {
        cluster.template(template(null));
        JupyterNotebookInstance ada = ready(instance());
        ada.getSpec().setSuspended(true);
        ada = written(ada, steps.reconcile(ada));
        JupyterNotebookInstanceTemplate narrowed = template(3, "quay.io/jupyter/base-notebook:2025-03-14", null, null);
        narrowed.getSpec().getPolicy().setAllowedImages(java.util.List.of("quay.io/jupyter/scipy-notebook:*"));
        cluster.template(narrowed);

        ada.getSpec().setSuspended(false);
        ada.getMetadata().setGeneration(3L);
        int before = cluster.created.size();
        InstanceReconcile.Outcome refused = steps.reconcile(ada);

        JupyterNotebookInstanceStatus s = refused.result().status();
        assertThat(s.getPhase()).isEqualTo(Phase.FAILED);
        assertThat(condition(s, ConditionTypes.READY)).isEqualTo("False/ImageDenied");
        assertThat(s.getMessage()).contains("quay.io/jupyter/base-notebook:2025-03-14", "no longer allowed");
        assertThat(s.getSuspension()).as("kept for a later resume").isNotNull();
        assertThat(cluster.created).hasSize(before);
    }

    @Test
    void aResumeWaitsForThePodOfTheSuspensionToGo() {
        cluster.template(template(null));
        cluster.gracefulDeletes = true;
        JupyterNotebookInstance ada = ready(instance());
        ada.getSpec().setSuspended(true);
        InstanceReconcile.Outcome suspending = steps.reconcile(ada);
        assertThat(suspending.result().status().getMessage()).contains("1 object(s) still being deleted");
        ada = written(ada, suspending);

        ada.getSpec().setSuspended(false);
        ada.getMetadata().setGeneration(3L);
        InstanceReconcile.Outcome waiting = steps.reconcile(ada);
        assertThat(condition(waiting.result().status(), ConditionTypes.READY)).isEqualTo("False/ObjectTerminating");
        assertThat(waiting.result().status().getSuspension()).isNotNull();
        ada = written(ada, waiting);

        cluster.finishDeletions();
        int before = cluster.created.size();
        steps.reconcile(ada);
        assertThat(cluster.created.subList(before, cluster.created.size())).containsExactly("Pod/hub/jupyter-ada");
    }

    @Test
    void deletingServicesOnSuspendIsTheTemplatesChoice() {
        cluster.template(template("deleteServicesOnSuspend: true"));
        JupyterNotebookInstance ada = ready(instance());
        ada.getSpec().setSuspended(true);

        JupyterNotebookInstanceStatus s = steps.reconcile(ada).result().status();

        assertThat(cluster.deleted).containsExactlyInAnyOrder("Pod/hub/jupyter-ada", "Service/hub/svc-ada");
        assertThat(s.getResources())
                .extracting(r -> r.getKind() + "=" + r.getState())
                .contains("Service=Deleted");
    }

    @Test
    void theMaximumAgeSuspendsTheServerUntilTheHubAsksAgain() {
        cluster.template(template("maxAgeSeconds: 3600"));
        JupyterNotebookInstance ada = ready(instance());
        assertThat(ada.getStatus().getStopAt().toInstant()).isEqualTo(T0.plusSeconds(3600));
        assertThat(ada.getStatus().getStopReason()).isEqualTo(JupyterNotebookInstanceStatus.StopReason.MAXAGEEXCEEDED);

        now = T0.plusSeconds(1800);
        InstanceReconcile.Outcome halfway = steps.reconcile(ada);
        assertThat(halfway.changes(ada.getStatus())).isFalse();
        assertThat(halfway.recheckAfter())
                .as("called again when the age is reached")
                .isEqualTo(Duration.ofSeconds(1801));

        now = T0.plusSeconds(3600);
        InstanceReconcile.Outcome stopped = steps.reconcile(ada);
        JupyterNotebookInstanceStatus s = stopped.result().status();
        assertThat(s.getPhase()).isEqualTo(Phase.SUSPENDED);
        assertThat(s.getSuspension().getRequestedBy()).isEqualTo(Suspension.RequestedBy.OPERATOR);
        assertThat(condition(s, ConditionTypes.SUSPENDED)).isEqualTo("True/MaxAgeExceeded");
        assertThat(stopped.decisions()).singleElement().satisfies(d -> {
            assertThat(d.type()).isEqualTo(EventType.NORMAL);
            assertThat(d.reason()).isEqualTo(Reason.MaxAgeExceeded);
            assertThat(d.note()).contains("ran for 3600s", "maxAgeSeconds 3600");
        });
        assertThat(cluster.<Pod>get("Pod", NS, "jupyter-ada")).isNull();
        assertThat(registry.get("jno.stops")
                        .tag("reason", "MaxAgeExceeded")
                        .tag("action", "suspend")
                        .counter()
                        .count())
                .isEqualTo(1.0);
        ada = written(ada, stopped);
        ada = written(ada, steps.reconcile(ada)); // the pod is gone

        now = now.plusSeconds(600);
        assertThat(steps.reconcile(ada).changes(ada.getStatus()))
                .as("spec.suspended is false, but the operator's suspension holds")
                .isFalse();
        assertThat(cluster.<Pod>get("Pod", NS, "jupyter-ada")).isNull();

        ada.getMetadata().setGeneration(3L); // the hub set spec.suspended true, then false
        steps.reconcile(ada);
        assertThat(cluster.<Pod>get("Pod", NS, "jupyter-ada")).as("resumed").isNotNull();
    }

    @Test
    void aLimitWithOnLimitDeleteDeletesTheInstance() {
        cluster.template(template("maxAgeSeconds: 60\nonLimit: Delete"));
        JupyterNotebookInstance ada = ready(instance());
        now = T0.plusSeconds(61);

        InstanceReconcile.Outcome outcome = steps.reconcile(ada);

        assertThat(cluster.deletedInstances).containsExactly("jupyter-ada");
        assertThat(outcome.decisions()).singleElement().satisfies(d -> {
            assertThat(d.reason()).isEqualTo(Reason.MaxAgeExceeded);
            assertThat(d.action()).isEqualTo(Action.Delete);
            assertThat(d.note()).contains("the instance is deleted");
        });
    }

    static final String PROBED = """
            idleLimitSeconds: 3600
            activityProbe:
              intervalSeconds: 60
              tokenSecretRef: {name: probe-token}
            """;

    @Test
    void theIdleLimitActsOnAFreshReadingAndStatusMovesOnlyInSteps() {
        cluster.template(template(PROBED));
        JupyterNotebookInstance ada = ready(instance());
        ResourceID id = new ResourceID("jupyter-ada", NS);
        assertThat(cluster.probed.get(id).uri().toString()).isEqualTo("http://10.0.0.7:8888/user/ada/api/status");
        assertThat(cluster.probed.get(id).tokenNamespace()).isEqualTo(NS);
        assertThat(condition(ada.getStatus(), ConditionTypes.ACTIVITY_KNOWN)).isEqualTo("Unknown/ProbePending");

        // busy: the last activity moves every probe, status only every 5 minutes (3600 / 12)
        now = T0.plusSeconds(120);
        cluster.readings.put(id, new ActivityReading.Activity(now.minusSeconds(10), now));
        InstanceReconcile.Outcome first = steps.reconcile(ada);
        assertThat(first.result().status().getLastActivity().toInstant()).isEqualTo(T0.plusSeconds(110));
        assertThat(first.result().status().getIdleSince()).isNull();
        assertThat(first.result().status().getStopAt().toInstant()).isEqualTo(T0.plusSeconds(110 + 3600));
        assertThat(first.recheckAfter())
                .as("called again when it turns idle if nothing moves (the clock, not a probe, decides that)")
                .isEqualTo(Duration.ofSeconds(110 + 300 - 120 + 1));
        ada = written(ada, first);
        now = T0.plusSeconds(240);
        cluster.readings.put(id, new ActivityReading.Activity(now.minusSeconds(5), now));
        assertThat(steps.reconcile(ada).changes(ada.getStatus()))
                .as("moved less than the resolution: no write")
                .isFalse();

        // idle: one write when it turns idle, none after
        now = T0.plusSeconds(800);
        cluster.readings.put(id, new ActivityReading.Activity(T0.plusSeconds(235), now));
        InstanceReconcile.Outcome idle = steps.reconcile(ada);
        assertThat(idle.result().status().getIdleSince().toInstant()).isEqualTo(T0.plusSeconds(235));
        assertThat(idle.recheckAfter())
                .as("called again when the idle limit passes")
                .isEqualTo(Duration.ofSeconds(235 + 3600 - 800 + 1));
        ada = written(ada, idle);
        now = T0.plusSeconds(1800);
        cluster.readings.put(id, new ActivityReading.Activity(T0.plusSeconds(235), now));
        assertThat(steps.reconcile(ada).changes(ada.getStatus())).isFalse();

        // a failing probe is a condition, never a stop, even past the limit
        now = T0.plusSeconds(235 + 4000);
        cluster.readings.put(id, new ActivityReading.Failure(Reason.ProbeMalformed, "the answer is not JSON"));
        InstanceReconcile.Outcome failing = steps.reconcile(ada);
        assertThat(failing.result().status().getPhase()).isEqualTo(Phase.READY);
        assertThat(condition(failing.result().status(), ConditionTypes.ACTIVITY_KNOWN))
                .isEqualTo("False/ProbeMalformed");
        assertThat(failing.result().status().getIdleSince()).isNull();
        assertThat(failing.decisions())
                .extracting(InstanceEvents.Decision::type, InstanceEvents.Decision::reason)
                .containsExactly(tuple(EventType.WARNING, Reason.ProbeMalformed));
        ada = written(ada, failing);

        // a stale reading is no ground either; a fresh one is
        cluster.readings.put(id, new ActivityReading.Activity(T0.plusSeconds(235), now.minusSeconds(600)));
        assertThat(steps.reconcile(ada).result().status().getPhase()).isEqualTo(Phase.READY);
        cluster.readings.put(id, new ActivityReading.Activity(T0.plusSeconds(235), now));
        InstanceReconcile.Outcome culled = steps.reconcile(ada);
        assertThat(culled.result().status().getPhase()).isEqualTo(Phase.SUSPENDED);
        assertThat(condition(culled.result().status(), ConditionTypes.SUSPENDED))
                .isEqualTo("True/IdleLimitExceeded");
        assertThat(culled.decisions())
                .filteredOn(d -> d.reason() == Reason.IdleLimitExceeded)
                .singleElement()
                .satisfies(d -> assertThat(d.note()).contains("no activity for 4000s", "idleLimitSeconds 3600"));
        assertThat(cluster.probed).as("a suspended server is not probed").doesNotContainKey(id);
    }

    @Test
    void aNewOperatorWritesNothingBeforeItsFirstProbe() {
        cluster.template(template(PROBED));
        JupyterNotebookInstance ada = ready(instance());
        ResourceID id = new ResourceID("jupyter-ada", NS);
        now = T0.plusSeconds(120);
        cluster.readings.put(id, new ActivityReading.Activity(now.minusSeconds(10), now));
        ada = written(ada, steps.reconcile(ada));

        cluster.readings.remove(id); // the operator restarted: nothing probed yet
        assertThat(steps.reconcile(ada).changes(ada.getStatus())).isFalse();
    }

    @Test
    void aDeprecatedTemplateWarnsOrRefusesAsTheAdminSays() {
        cluster.template(template(
                2,
                "quay.io/jupyter/base-notebook:2025-03-14",
                null,
                "deprecation: {message: 'Python 3.9 ends in March', replacement: home-2025}"));
        InstanceReconcile.Outcome warned = steps.reconcile(instance());
        cluster.podReady(NS, "jupyter-ada", "10.0.0.7");
        warned = steps.reconcile(instance());
        assertThat(condition(warned.result().status(), ConditionTypes.DEPRECATED))
                .isEqualTo("True/TemplateDeprecated");
        assertThat(warned.decisions())
                .filteredOn(d -> d.reason() == Reason.TemplateDeprecated)
                .singleElement()
                .satisfies(d -> {
                    assertThat(d.type()).isEqualTo(EventType.WARNING);
                    assertThat(d.note()).contains("Python 3.9 ends in March", "use template home-2025");
                });

        cluster.objects.clear();
        cluster.template(template(2, "quay.io/jupyter/base-notebook:2025-03-14", null, """
                deprecatedValues:
                - {variable: flavour, value: classic, message: 'classic goes', replacement: legacy, action: Refuse}
                """));
        InstanceReconcile.Outcome refused = steps.reconcile(instance());
        JupyterNotebookInstanceStatus s = refused.result().status();
        assertThat(s.getPhase()).isEqualTo(Phase.FAILED);
        assertThat(condition(s, ConditionTypes.READY)).isEqualTo("False/ValueDeprecated");
        assertThat(s.getMessage()).contains("variable flavour: 'classic' is deprecated", "choose 'legacy' instead");
        assertThat(cluster.objects.keySet()).noneMatch(k -> k.startsWith("Pod/"));
    }

    @Test
    void anOperatorStopThatKeepsTheServerOnlyTellsItOnce() {
        cluster.template(template(null));
        JupyterNotebookInstance ada = ready(instance());
        InstanceReconcile.Outcome running = steps.reconcile(ada);
        Stop stop = new Stop(Reason.MaxAgeExceeded, Stop.Action.KEEP, "a rule said so");

        InstanceReconcile.Outcome kept = steps.stop(
                ada,
                new org.jupyterhub.kubespawner.operator.template.TemplateResolution.Resolved(template(null)),
                stop,
                running,
                now);
        InstanceReconcile.Outcome again = steps.stop(
                ada,
                new org.jupyterhub.kubespawner.operator.template.TemplateResolution.Resolved(template(null)),
                stop,
                running,
                now);

        assertThat(kept.decisions())
                .extracting(InstanceEvents.Decision::note)
                .containsExactly("a rule said so; the server is left running");
        assertThat(again.decisions()).isEmpty();
        assertThat(cluster.<Pod>get("Pod", NS, "jupyter-ada")).isNotNull();
    }
}
