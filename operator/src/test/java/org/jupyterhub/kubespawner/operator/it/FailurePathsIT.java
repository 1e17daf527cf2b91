package org.jupyterhub.kubespawner.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.jupyterhub.kubespawner.operator.it.Fixtures.awaitInstance;
import static org.jupyterhub.kubespawner.operator.it.Fixtures.eventsAbout;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
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
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus.Phase;

/** Every way an instance can fail ends in phase Failed with a precise condition and a Warning Event. */
class FailurePathsIT {

    @RegisterExtension
    static final ControlPlane cluster = ControlPlane.perClass();

    private static final Duration PROGRESS_TIMEOUT = Duration.ofSeconds(6);
    private static RunningOperator operator;
    private static String otherNamespace;
    private static KubernetesClient admin;
    private static String ns;

    @BeforeAll
    static void startOperator() {
        cluster.applyCrds();
        admin = cluster.admin();
        ns = cluster.namespace();
        otherNamespace = cluster.cluster().createNamespace("failure-paths-other");
        admin.resource(Fixtures.template(ns, "small", null)).create();
        var withArgs = Fixtures.template(ns, "args", null);
        withArgs.getSpec().getPolicy().setAllowArgs(true);
        admin.resource(withArgs).create();
        operator = RunningOperator.start(cluster, PROGRESS_TIMEOUT, ns, otherNamespace);
    }

    @AfterAll
    static void stopOperator() {
        Fixtures.releaseInstances(admin, ns);
        Fixtures.releaseInstances(admin, otherNamespace);
        if (operator != null) {
            operator.close();
        }
        if (otherNamespace != null) {
            cluster.cluster().deleteNamespace(otherNamespace);
        }
    }

    @Test
    void missingTemplateFailsUntilTheTemplateAppears() {
        create(Fixtures.instance(ns, "early", "later", "user: early", null));
        JupyterNotebookInstance failed = awaitInstance(admin, ns, "early", Fixtures.phase(Phase.FAILED));
        assertCondition(failed, "TemplateResolved", "False", "TemplateNotFound");
        assertThat(failed.getStatus().getMessage()).contains("template " + ns + "/later does not exist");
        assertWarning("early", "TemplateNotFound");
        assertNothingCreatedFor("early");

        admin.resource(Fixtures.template(ns, "later", null)).create();
        JupyterNotebookInstance ready = awaitInstance(admin, ns, "early", Fixtures.phase(Phase.READY));
        assertCondition(ready, "TemplateResolved", "True", "TemplateFound");
    }

    @Test
    void templateInAnotherNamespaceIsForbiddenUnlessItsPolicyAllows() {
        admin.resource(Fixtures.template(otherNamespace, "shared", null)).create();
        create(Fixtures.instance(ns, "borrower", "shared", "user: borrower", null)
                .edit()
                .editSpec()
                .editTemplate()
                .withNamespace(otherNamespace)
                .endTemplate()
                .endSpec()
                .build());
        JupyterNotebookInstance failed = awaitInstance(admin, ns, "borrower", Fixtures.phase(Phase.FAILED));
        assertCondition(failed, "TemplateResolved", "False", "TemplateForbidden");
        assertThat(failed.getStatus().getMessage()).contains("policy.allowedNamespaces");
        assertWarning("borrower", "TemplateForbidden");
        assertNothingCreatedFor("borrower");
    }

    @Test
    void badVariablesAreAllReportedAndNothingIsCreated() {
        create(Fixtures.instance(ns, "bad-values", "small", "user: Not_A_Slug!\nfavourite: pizza", null));
        JupyterNotebookInstance failed = awaitInstance(admin, ns, "bad-values", Fixtures.phase(Phase.FAILED));
        assertCondition(failed, "Ready", "False", "VariablesRejected");
        assertCondition(failed, "ResourcesCreated", "False", "NotCreated");
        assertThat(failed.getStatus().getMessage()).contains("user").contains("favourite");
        assertWarning("bad-values", "VariablesRejected");
        assertNothingCreatedFor("bad-values");
    }

    @Test
    void imageOutsideThePolicyIsDenied() {
        create(Fixtures.instance(ns, "miner", "small", "user: miner\nimage: docker.io/evil/miner:latest", null));
        JupyterNotebookInstance failed = awaitInstance(admin, ns, "miner", Fixtures.phase(Phase.FAILED));
        assertCondition(failed, "Ready", "False", "ImageDenied");
        assertThat(failed.getStatus().getMessage()).contains("docker.io/evil/miner:latest");
        assertWarning("miner", "ImageDenied");
        assertNothingCreatedFor("miner");
    }

    @Test
    void argsAreRejectedUnlessThePolicyAllowsThem() {
        create(Fixtures.instance(ns, "argued", "small", "user: argued", "args: [jupyterhub-singleuser, --debug]"));
        JupyterNotebookInstance failed = awaitInstance(admin, ns, "argued", Fixtures.phase(Phase.FAILED));
        assertCondition(failed, "Ready", "False", "ArgsNotAllowed");
        assertThat(failed.getStatus().getMessage()).contains("spec.args").contains("allowArgs");
        assertWarning("argued", "ArgsNotAllowed");
        assertNothingCreatedFor("argued");

        create(Fixtures.instance(
                ns, "allowed-args", "args", "user: allowed-args", "args: [jupyterhub-singleuser, --debug]"));
        awaitInstance(admin, ns, "allowed-args", Fixtures.phase(Phase.READY));
        assertThat(admin.pods()
                        .inNamespace(ns)
                        .withName("nb-allowed-args")
                        .get()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getArgs())
                .containsExactly("jupyterhub-singleuser", "--debug");
    }

    @Test
    void failedPodFailsTheInstance() {
        create(Fixtures.instance(ns, "crasher", "small", "user: crasher", null));
        awaitInstance(admin, ns, "crasher", Fixtures.phase(Phase.READY));
        admin.pods().inNamespace(ns).withName("nb-crasher").editStatus(p -> {
            p.getStatus().setPhase("Failed");
            p.getStatus().setReason("Evicted");
            p.getStatus().setMessage("The node was low on resource: memory.");
            return p;
        });
        JupyterNotebookInstance failed = awaitInstance(admin, ns, "crasher", Fixtures.phase(Phase.FAILED));
        assertCondition(failed, "Ready", "False", "PodFailed");
        assertThat(failed.getStatus().getMessage()).contains("Evicted").contains("low on resource");
        assertThat(failed.getStatus().getUrl()).isNull();
        assertWarning("crasher", "PodFailed");
    }

    @Test
    void crashLoopFailsAfterTheProgressTimeout() {
        create(Fixtures.instance(ns, "looper", "small", "user: looper", null));
        awaitInstance(admin, ns, "looper", Fixtures.phase(Phase.READY));
        admin.pods().inNamespace(ns).withName("nb-looper").editStatus(p -> {
            p.getStatus()
                    .setConditions(List.of(new PodConditionBuilder()
                            .withType("Ready")
                            .withStatus("False")
                            .build()));
            p.getStatus()
                    .setContainerStatuses(List.of(new ContainerStatusBuilder()
                            .withName("notebook")
                            .withReady(false)
                            .withRestartCount(5)
                            .withImage("quay.io/jupyter/base-notebook:2025-03-14")
                            .withImageID("")
                            .withNewState()
                            .withNewWaiting()
                            .withReason("CrashLoopBackOff")
                            .withMessage("back-off 40s restarting failed container")
                            .endWaiting()
                            .endState()
                            .build()));
            return p;
        });
        JupyterNotebookInstance failed =
                awaitInstance(admin, ns, "looper", Fixtures.phase(Phase.FAILED), PROGRESS_TIMEOUT.plus(Fixtures.WAIT));
        assertCondition(failed, "Ready", "False", "CrashLoopBackOff");
        assertThat(failed.getStatus().getMessage()).contains("progress timeout").contains("back-off 40s");
        assertWarning("looper", "CrashLoopBackOff");
    }

    @Test
    void unschedulablePodIsToleratedUntilTheProgressTimeout() {
        admin.resource(Fixtures.template(ns, "nowhere", "nodeSelector:\n  jno-test/no-such-node: \"true\"", null))
                .create();
        create(Fixtures.instance(ns, "stranded", "nowhere", "user: stranded", null));
        JupyterNotebookInstance waiting = awaitInstance(
                admin,
                ns,
                "stranded",
                s -> s.getConditions() != null
                        && s.getConditions().stream().anyMatch(c -> "FailedScheduling".equals(c.getReason())));
        assertThat(waiting.getStatus().getPhase()).isIn(Phase.PROVISIONING, Phase.FAILED);
        JupyterNotebookInstance failed = awaitInstance(
                admin, ns, "stranded", Fixtures.phase(Phase.FAILED), PROGRESS_TIMEOUT.plus(Fixtures.WAIT));
        assertCondition(failed, "Ready", "False", "FailedScheduling");
        assertThat(failed.getStatus().getMessage()).contains("cannot be scheduled");
        assertWarning("stranded", "FailedScheduling");
    }

    @Test
    void refusedCreateIsRetriedAndShownUntilItSucceeds() {
        String other = otherNamespace;
        admin.resource(new io.fabric8.kubernetes.api.model.ResourceQuotaBuilder()
                        .withNewMetadata()
                        .withName("no-pods")
                        .withNamespace(other)
                        .endMetadata()
                        .withNewSpec()
                        .addToHard("pods", new io.fabric8.kubernetes.api.model.Quantity("0"))
                        .endSpec()
                        .build())
                .create();
        admin.resource(Fixtures.template(other, "local", null)).create();
        admin.resource(Fixtures.instance(other, "quota", "local", "user: quota", null))
                .create();

        JupyterNotebookInstance refused = awaitInstance(
                admin,
                other,
                "quota",
                s -> s.getConditions() != null
                        && s.getConditions().stream().anyMatch(c -> "CreateRetrying".equals(c.getReason())));
        assertThat(refused.getStatus().getPhase()).isEqualTo(Phase.PENDING);
        assertThat(refused.getStatus().getConditions())
                .as("the error status goes through the aggregator: every condition, not only ResourcesCreated")
                .extracting(c -> c.getType())
                .containsExactly("TemplateResolved", "ResourcesCreated", "Ready", "UpToDate");
        assertThat(refused.getStatus().getMessage()).contains("retrying").contains("exceeded quota");
        await().atMost(Fixtures.WAIT)
                .untilAsserted(() -> assertThat(Fixtures.eventsAbout(admin, other, "quota"))
                        .anySatisfy(e ->
                                assertThat(e.getType() + "/" + e.getReason()).isEqualTo("Warning/CreateRetrying")));

        admin.resourceQuotas().inNamespace(other).withName("no-pods").delete();
        awaitInstance(admin, other, "quota", Fixtures.phase(Phase.READY), Duration.ofSeconds(90));
    }

    private static void create(JupyterNotebookInstance instance) {
        admin.resource(instance).create();
    }

    private static void assertCondition(JupyterNotebookInstance instance, String type, String status, String reason) {
        JupyterNotebookInstanceStatus s = instance.getStatus();
        assertThat(s.getConditions())
                .filteredOn(c -> c.getType().equals(type))
                .singleElement()
                .satisfies(c -> assertThat(c.getStatus() + "/" + c.getReason()).isEqualTo(status + "/" + reason))
                .extracting(Condition::getObservedGeneration)
                .isEqualTo(instance.getMetadata().getGeneration());
    }

    private static void assertWarning(String instance, String reason) {
        await("Warning " + reason + " about " + instance)
                .atMost(Fixtures.WAIT)
                .untilAsserted(() -> assertThat(eventsAbout(admin, ns, instance))
                        .anySatisfy(e ->
                                assertThat(e.getType() + "/" + e.getReason()).isEqualTo("Warning/" + reason)));
    }

    private static void assertNothingCreatedFor(String instance) {
        assertThat(admin.pods()
                        .inNamespace(ns)
                        .withLabel(ManagedLabels.INSTANCE, instance)
                        .list()
                        .getItems())
                .isEmpty();
        assertThat(admin.persistentVolumeClaims()
                        .inNamespace(ns)
                        .withLabel(ManagedLabels.INSTANCE, instance)
                        .list()
                        .getItems())
                .isEmpty();
    }
}
