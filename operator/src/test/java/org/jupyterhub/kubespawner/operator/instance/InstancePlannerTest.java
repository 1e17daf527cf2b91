package org.jupyterhub.kubespawner.operator.instance;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.jupyterhub.kubespawner.operator.Examples;
import org.jupyterhub.kubespawner.operator.ManagedLabels;
import org.jupyterhub.kubespawner.operator.vocabulary.Reason;
import org.jupyterhub.kubespawner.templating.CompiledTemplate;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancetemplatespec.PersistentVolumeClaims;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancetemplatespec.Services;

class InstancePlannerTest {

    private final JupyterNotebookInstanceTemplate template = Examples.template();
    private final JupyterNotebookInstance instance = Examples.instance();
    /** KubeSpawner's {user_server} slug of the example, which the template's names are made of. */
    private final String user = instance.getSpec().getVariables().get("user_server");

    private Plan plan() {
        return InstancePlanner.plan(instance, template, CompiledTemplate.compile(template.getSpec()));
    }

    private DesiredState desired() {
        Plan plan = plan();
        assertThat(plan).isInstanceOf(Plan.Create.class);
        return ((Plan.Create) plan).desired();
    }

    private Rejection rejection() {
        Plan plan = plan();
        assertThat(plan).isInstanceOf(Plan.Reject.class);
        return ((Plan.Reject) plan).rejection();
    }

    @Test
    void exampleCreatesClaimThenNetworkPolicyThenPodInTheInstancesNamespace() {
        DesiredState desired = desired();

        assertThat(desired.objects())
                .extracting(o -> o.kind() + "/" + o.name())
                .containsExactly(
                        "PersistentVolumeClaim/claim-" + user,
                        "NetworkPolicy/singleuser-" + user,
                        "Pod/jupyter-" + user);
        assertThat(desired.objects()).allSatisfy(o -> {
            assertThat(o.object().getMetadata().getNamespace()).isEqualTo("jupyterhub");
            assertThat(o.object().getMetadata().getLabels())
                    .containsEntry(ManagedLabels.MANAGED_BY, "jupyter-notebook-operator")
                    .containsEntry(
                            ManagedLabels.INSTANCE, instance.getMetadata().getName());
        });
        assertThat(desired.notebookPod()).isEqualTo("jupyter-" + user);
        assertThat(desired.notebookContainer()).isEqualTo("notebook");
        assertThat(desired.notebookPort()).isEqualTo(8888);
        assertThat(desired.templateGeneration()).isEqualTo(3L);
    }

    @Test
    void retainedClaimHasNoOwnerWhileEverythingElseIsControlledByTheInstance() {
        List<DesiredObject> objects = desired().objects();

        DesiredObject claim = objects.get(0);
        assertThat(claim.retained()).isTrue();
        assertThat(claim.object().getMetadata().getOwnerReferences()).isNullOrEmpty();
        assertThat(claim.object().getMetadata().getLabels()).containsEntry("component", "singleuser-storage");
        for (DesiredObject owned : objects.subList(1, objects.size())) {
            assertThat(owned.retained()).isFalse();
            assertThat(owned.object().getMetadata().getOwnerReferences())
                    .singleElement()
                    .satisfies(o -> {
                        assertThat(o.getKind()).isEqualTo("JupyterNotebookInstance");
                        assertThat(o.getApiVersion()).isEqualTo("kubespawner.jupyterhub.org/v1");
                        assertThat(o.getName()).isEqualTo(instance.getMetadata().getName());
                        assertThat(o.getUid()).isEqualTo(instance.getMetadata().getUid());
                        assertThat(o.getController()).isTrue();
                        assertThat(o.getBlockOwnerDeletion()).isTrue();
                    });
        }
    }

    @Test
    void claimWithWhenDeletedDeleteIsOwned() {
        template.getSpec().getPersistentVolumeClaims().get(0).setWhenDeleted(PersistentVolumeClaims.WhenDeleted.DELETE);

        DesiredObject claim = desired().objects().get(0);

        assertThat(claim.retained()).isFalse();
        assertThat(claim.object().getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(o ->
                        assertThat(o.getUid()).isEqualTo(instance.getMetadata().getUid()));
    }

    @Test
    void notebookContainerGetsTheHubsEnvironmentSecretAndArgsAfterTheTemplates() {
        instance.getSpec().getEnv().put("MEM_GUARANTEE", "999G"); // the template's own value wins
        instance.getSpec().setArgs(List.of("jupyterhub-singleuser", "--debug"));

        Pod pod = (Pod) desired().objects().get(2).object();
        Container notebook = pod.getSpec().getContainers().get(0);

        List<String> env = notebook.getEnv().stream()
                .map(e -> e.getName() + "=" + e.getValue())
                .toList();
        assertThat(env)
                .startsWith(
                        "JUPYTER_IMAGE=quay.io/jupyterhub/k8s-singleuser-sample:4.4.0",
                        "JUPYTER_IMAGE_SPEC=quay.io/jupyterhub/k8s-singleuser-sample:4.4.0",
                        "MEM_GUARANTEE=1073741824");
        assertThat(env)
                .contains("JUPYTERHUB_API_URL=http://hub:8081/hub/api", "JUPYTERHUB_USER=ada.lovelace@example.org");
        assertThat(notebook.getEnv()).extracting(EnvVar::getName).doesNotHaveDuplicates();
        assertThat(notebook.getEnvFrom()).singleElement().satisfies(f -> {
            assertThat(f.getSecretRef().getName())
                    .isEqualTo(instance.getSpec().getEnvSecretRef().getName());
            assertThat(f.getSecretRef().getOptional()).isFalse();
        });
        assertThat(notebook.getArgs()).containsExactly("jupyterhub-singleuser", "--debug");
    }

    @Test
    void withoutArgsTheTemplatesArgsStay() {
        instance.getSpec().setArgs(null);

        Pod pod = (Pod) desired().objects().get(2).object();

        assertThat(pod.getSpec().getContainers().get(0).getArgs()).containsExactly("jupyterhub-singleuser");
    }

    @Test
    void objectsOfOneKindFollowTheirWeights() {
        template.getSpec().setServices(List.of(service("late-{user_server}", 10), service("early-{user_server}", -5)));

        List<String> names =
                desired().objects().stream().map(DesiredObject::name).toList();

        assertThat(names).containsSubsequence("singleuser-" + user, "early-" + user, "late-" + user, "jupyter-" + user);
    }

    @Test
    void argsWithoutPermissionAndBadValuesAreAllReported() {
        template.getSpec().getPolicy().setAllowArgs(false);
        instance.getSpec().getVariables().put("mem_limit", "1T");
        instance.getSpec().getVariables().put("colour", "blue");

        Rejection rejection = rejection();

        assertThat(rejection.reason()).isEqualTo(Reason.ArgsNotAllowed);
        assertThat(rejection.messages()).hasSizeGreaterThanOrEqualTo(3);
        assertThat(rejection.messages().get(0)).contains("spec.args").contains("allowArgs");
        assertThat(String.join("\n", rejection.messages()))
                .contains("mem_limit")
                .contains("colour");
        assertThat(rejection.summary()).startsWith(rejection.messages().size() + " problems: ");
    }

    @Test
    void badValuesAreVariablesRejected() {
        instance.getSpec().getVariables().put("userid", "forty-two");

        Rejection rejection = rejection();

        assertThat(rejection.reason()).isEqualTo(Reason.VariablesRejected);
        assertThat(rejection.summary()).contains("userid");
    }

    @Test
    void imageOutsideThePolicyIsDenied() {
        template.getSpec().getVariables().stream()
                .filter(v -> v.getName().equals("image"))
                .findFirst()
                .orElseThrow()
                .setEnumValues(null);
        instance.getSpec().getVariables().put("image", "docker.io/evil/miner:latest");

        Rejection rejection = rejection();

        assertThat(rejection.reason()).isEqualTo(Reason.ImageDenied);
        assertThat(rejection.summary()).contains("docker.io/evil/miner:latest");
    }

    @Test
    void brokenTemplateIsTemplateInvalid() {
        template.getSpec().getPods().get(0).getLabels().put("broken", "{no_such_variable}");

        Rejection rejection = rejection();

        assertThat(rejection.reason()).isEqualTo(Reason.TemplateInvalid);
        assertThat(rejection.summary()).contains("no_such_variable");
    }

    @Test
    void instanceNameThatCannotBeALabelValueIsRejected() {
        instance.getMetadata().setName("a".repeat(64));

        Rejection rejection = rejection();

        assertThat(rejection.reason()).isEqualTo(Reason.InvalidInstanceName);
        assertThat(rejection.messages().get(0)).contains("metadata.name").contains("63");
    }

    @Test
    void extensionPropertiesNeverReachWhatIsCreated() {
        String marker = "ext-marker-6f1c";
        instance.getSpec()
                .setProperties(Map.of(
                        "example.org/cost-centre", marker,
                        "example.org/mem_limit", "64G " + marker,
                        "user_server", marker + "-{user_server}"));
        DesiredState desired = desired();
        assertThat(desired.objects())
                .allSatisfy(o -> assertThat(Serialization.asJson(o.object())).doesNotContain(marker));
        assertThat(desired.objects()).extracting(o -> o.kind() + "/" + o.name()).contains("Pod/jupyter-" + user);
    }

    @Test
    void planningDoesNotChangeItsInputs() {
        String before = instance.toString() + template.toString();

        desired();

        assertThat(instance.toString() + template.toString()).isEqualTo(before);
    }

    private static Services service(String name, int weight) {
        Services s = new Services();
        s.setName(name);
        s.setWeight(weight);
        s.setLabels(Map.of("app", "jupyterhub"));
        io.fabric8.kubernetes.api.model.ServiceSpec spec = new io.fabric8.kubernetes.api.model.ServiceSpecBuilder()
                .withSelector(Map.of("component", "singleuser-server"))
                .addNewPort()
                .withPort(8888)
                .endPort()
                .build();
        s.setSpec(spec);
        return s;
    }
}
