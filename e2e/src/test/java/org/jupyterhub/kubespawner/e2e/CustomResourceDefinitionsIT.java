package org.jupyterhub.kubespawner.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The CRDs in crds/ install on a real API server, accept the examples, and make the API server itself reject
 * malformed objects with field-level messages.
 */
class CustomResourceDefinitionsIT {

    @RegisterExtension
    static final ControlPlane cluster = ControlPlane.perClass();

    private static final String GROUP_VERSION = "kubespawner.jupyterhub.org/v1";
    private static final String TEMPLATES = "jupyternotebookinstancetemplates.kubespawner.jupyterhub.org";
    private static final String INSTANCES = "jupyternotebookinstances.kubespawner.jupyterhub.org";
    private static final String ACCESSES = "jupyternotebookaccesses.kubespawner.jupyterhub.org";
    private static final String QUOTAS = "jupyternotebookquotas.kubespawner.jupyterhub.org";

    /** The smallest template the schema accepts; each negative test breaks exactly one line of it. */
    private static final String VALID_TEMPLATE = """
      apiVersion: kubespawner.jupyterhub.org/v1
      kind: JupyterNotebookInstanceTemplate
      metadata:
        name: NAME
      spec:
        variables:
        - name: user_name
        pods:
        - name: notebook-{user_name}
          spec:
            containers:
            - name: notebook
              image: quay.io/jupyter/base-notebook:2025-01-06
              ports:
              - containerPort: 8888
        policy:
          allowedImages: ["quay.io/jupyter/*"]
      """;

    private static final String VALID_INSTANCE = """
      apiVersion: kubespawner.jupyterhub.org/v1
      kind: JupyterNotebookInstance
      metadata:
        name: NAME
      spec:
        template:
          name: minimal
        variables:
          user_name: ada
      """;

    @BeforeAll
    static void installCrds() {
        cluster.applyCrds();
    }

    @Test
    void everyCrdIsEstablishedAndApplyingAgainChangesNothing() {
        assertThat(cluster.applyCrds()).containsExactlyInAnyOrder(INSTANCES, TEMPLATES, ACCESSES, QUOTAS);

        for (String name : List.of(TEMPLATES, INSTANCES, ACCESSES, QUOTAS)) {
            CustomResourceDefinition crd = cluster.admin()
                    .apiextensions()
                    .v1()
                    .customResourceDefinitions()
                    .withName(name)
                    .get();
            assertThat(crd.getStatus().getConditions())
                    .anySatisfy(
                            c -> assertThat(c.getType() + "=" + c.getStatus()).isEqualTo("Established=True"));
            assertThat(crd.getStatus().getStoredVersions()).containsExactly("v1");
        }
    }

    @Test
    void examplesAreAcceptedWithoutLosingAField() throws IOException {
        List<Path> examples;
        try (Stream<Path> files = Files.list(cluster.repoRoot().resolve("crds").resolve("examples"))) {
            examples =
                    files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(examples).isNotEmpty();

        for (Path example : examples) {
            for (HasMetadata item : cluster.cluster().load(example)) {
                item.getMetadata().setNamespace(cluster.namespace());
                cluster.admin().resource(item).create();
                HasMetadata stored = cluster.admin().resource(item).get();
                assertThat(stored)
                        .as("%s from %s", item.getKind(), example.getFileName())
                        .isNotNull();
                if (item instanceof GenericKubernetesResource custom) {
                    // Nothing pruned: every field of the example survives the schema (defaults may be added).
                    assertContained(
                            example.getFileName() + " spec",
                            custom.getAdditionalProperties().get("spec"),
                            ((GenericKubernetesResource) stored)
                                    .getAdditionalProperties()
                                    .get("spec"));
                }
            }
        }
    }

    @Test
    void minimalTemplateAndInstanceAreAccepted() {
        create(named(VALID_TEMPLATE, "accepted"));
        create(named(VALID_INSTANCE, "accepted"));

        assertThat(cluster.admin()
                        .genericKubernetesResources(GROUP_VERSION, "JupyterNotebookInstanceTemplate")
                        .inNamespace(cluster.namespace())
                        .withName("accepted")
                        .get())
                .isNotNull();
    }

    @Test
    void containerWithoutImageIsRejected() {
        StatusCause cause = rejection(
                VALID_TEMPLATE,
                "image: quay.io/jupyter/base-notebook:2025-01-06",
                "imagePullPolicy: IfNotPresent",
                "spec.pods[0].spec.containers[0].image");

        assertThat(cause.getMessage()).contains("Required value");
    }

    @Test
    void wrongTypeInsideThePodSpecIsRejected() {
        StatusCause cause = rejection(
                VALID_TEMPLATE,
                "containerPort: 8888",
                "containerPort: eighty",
                "spec.pods[0].spec.containers[0].ports[0].containerPort");

        assertThat(cause.getMessage()).contains("must be of type integer");
    }

    @Test
    void invalidVariableNameInATemplateIsRejected() {
        StatusCause cause =
                rejection(VALID_TEMPLATE, "- name: user_name", "- name: user-name", "spec.variables[0].name");

        assertThat(cause.getMessage()).contains("should match");
    }

    @Test
    void invalidVariableNameInAnInstanceIsRejected() {
        StatusCause cause = rejection(VALID_INSTANCE, "user_name: ada", "user-name: ada", "spec.variables");

        assertThat(cause.getMessage()).contains("variable names must be identifiers");
    }

    @Test
    void anInstancesTemplateReferenceCannotChange() {
        create(named(VALID_INSTANCE, "immutable"));
        var instance = cluster.admin()
                .genericKubernetesResources(GROUP_VERSION, "JupyterNotebookInstance")
                .inNamespace(cluster.namespace())
                .withName("immutable");

        // Other fields stay editable, so the rule is about the template reference only.
        instance.edit(r -> withSpecValue(r, "variables", Map.of("user_name", "grace")));
        KubernetesClientException denied = catchThrowableOfType(
                KubernetesClientException.class,
                () -> instance.edit(r -> withSpecValue(r, "template", Map.of("name", "another"))));

        assertThat(denied).isNotNull();
        assertThat(denied.getCode()).isEqualTo(422);
        assertThat(denied.getStatus().getDetails().getCauses()).anySatisfy(c -> {
            assertThat(c.getField()).isEqualTo("spec.template");
            assertThat(c.getMessage()).contains("immutable");
        });
    }

    @Test
    void kubectlExplainShowsTheContainerSchemaInsideATemplate() {
        // The OpenAPI document that kubectl explain reads is published a moment after the CRD is Established.
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            CommandResult explain =
                    cluster.kubectl("explain", "jupyternotebookinstancetemplate.spec.pods.spec.containers");
            assertThat(explain.succeeded()).as(explain.output()).isTrue();
            assertThat(explain.output())
                    .contains("KIND:       JupyterNotebookInstanceTemplate")
                    .contains("FIELD: containers <[]Object>")
                    .containsPattern("\\n  image\\s+<string>")
                    .containsPattern("\\n  resources\\s+<Object>")
                    .containsPattern("\\n  securityContext\\s+<Object>");
        });
    }

    private static String named(String yaml, String name) {
        return yaml.replace("name: NAME", "name: " + name);
    }

    private static void create(String yaml) {
        cluster.admin().resource(yaml).inNamespace(cluster.namespace()).create();
    }

    /** Breaks {@code valid} by one replacement and returns the API server's complaint about {@code field}. */
    private static StatusCause rejection(String valid, String from, String to, String field) {
        assertThat(valid).contains(from);
        String broken = named(valid, "broken").replace(from, to);
        KubernetesClient admin = cluster.admin();

        KubernetesClientException denied = catchThrowableOfType(
                KubernetesClientException.class,
                () -> admin.resource(broken).inNamespace(cluster.namespace()).create());

        assertThat(denied).as("the API server should reject:\n%s", broken).isNotNull();
        assertThat(denied.getCode()).isEqualTo(422);
        return denied.getStatus().getDetails().getCauses().stream()
                .filter(c -> field.equals(c.getField()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no complaint about " + field + " in: " + denied.getMessage()));
    }

    @SuppressWarnings("unchecked")
    private static GenericKubernetesResource withSpecValue(GenericKubernetesResource r, String key, Object value) {
        ((Map<String, Object>) r.getAdditionalProperties().get("spec")).put(key, value);
        return r;
    }

    private static void assertContained(String where, Object expected, Object actual) {
        if (expected instanceof Map<?, ?> expectedMap) {
            assertThat(actual).as(where).isInstanceOf(Map.class);
            Map<?, ?> actualMap = (Map<?, ?>) actual;
            expectedMap.forEach((key, value) -> {
                assertThat(actualMap.containsKey(key))
                        .as("%s.%s is missing", where, key)
                        .isTrue();
                assertContained(where + "." + key, value, actualMap.get(key));
            });
        } else if (expected instanceof List<?> expectedList) {
            assertThat(actual).as(where).isInstanceOf(List.class);
            List<?> actualList = (List<?>) actual;
            assertThat(actualList).as(where).hasSameSizeAs(expectedList);
            for (int i = 0; i < expectedList.size(); i++) {
                assertContained(where + "[" + i + "]", expectedList.get(i), actualList.get(i));
            }
        } else {
            // Numbers may come back as another boxed type; their text must match.
            assertThat(String.valueOf(actual)).as(where).isEqualTo(String.valueOf(expected));
        }
    }
}
