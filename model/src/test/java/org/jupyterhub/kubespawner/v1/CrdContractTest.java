package org.jupyterhub.kubespawner.v1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The committed CRDs keep the promises the rest of the project (and its users) rely on. */
class CrdContractTest {

    private static CustomResourceDefinitionVersion v1(String plural) {
        CustomResourceDefinition crd = Serialization.unmarshal(
                Examples.read(Examples.crds().resolve(plural + ".kubespawner.jupyterhub.org.yaml")),
                CustomResourceDefinition.class);
        assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
        assertThat(crd.getSpec().getNames().getCategories()).containsExactly("jupyter");
        return crd.getSpec().getVersions().get(0);
    }

    private static JSONSchemaProps at(JSONSchemaProps schema, String... path) {
        for (String step : path) {
            schema = step.equals("[]")
                    ? schema.getItems().getSchema()
                    : schema.getProperties().get(step);
        }
        return schema;
    }

    @Test
    void templateEmbedsFullKubernetesSchemas() {
        JSONSchemaProps root =
                v1("jupyternotebookinstancetemplates").getSchema().getOpenAPIV3Schema();

        JSONSchemaProps container = at(root, "spec", "pods", "[]", "spec", "containers", "[]");
        assertThat(container.getRequired()).contains("name", "image");
        assertThat(container.getProperties()).containsKeys("image", "env", "resources", "securityContext");
        assertThat(at(container, "resources", "limits")
                        .getAdditionalProperties()
                        .getSchema()
                        .getXKubernetesIntOrString())
                .as("quantities accept placeholders as strings")
                .isTrue();
        assertThat(at(root, "spec", "persistentVolumeClaims", "[]", "spec").getProperties())
                .containsKey("accessModes");
        assertThat(at(root, "spec", "services", "[]", "spec").getProperties()).containsKey("ports");
        assertThat(at(root, "spec", "networkPolicies", "[]", "spec").getProperties())
                .containsKey("podSelector");
        assertThat(at(root, "spec", "persistentVolumeClaims", "[]", "whenDeleted")
                        .getEnum())
                .extracting(Object::toString)
                .containsExactly("\"Retain\"", "\"Delete\"");
    }

    @Test
    void handWrittenTemplateVariableMatchesTheSchema() {
        JSONSchemaProps variable =
                at(v1("jupyternotebookinstancetemplates").getSchema().getOpenAPIV3Schema(), "spec", "variables", "[]");
        Map<?, ?> written = new ObjectMapper()
                .convertValue(new TemplateVariable("n", "d", "x", true, "p", 1, java.util.List.of("x")), Map.class);

        assertThat(written.keySet()).isEqualTo(variable.getProperties().keySet());
    }

    @Test
    void instanceTemplateReferenceIsImmutableAndStatusIsASubresource() {
        CustomResourceDefinitionVersion version = v1("jupyternotebookinstances");
        JSONSchemaProps template = at(version.getSchema().getOpenAPIV3Schema(), "spec", "template");

        assertThat(template.getXKubernetesValidations())
                .anySatisfy(rule -> assertThat(rule.getRule()).isEqualTo("self == oldSelf"));
        assertThat(version.getSubresources().getStatus()).isNotNull();
        assertThat(version.getAdditionalPrinterColumns())
                .extracting(c -> c.getName())
                .containsExactly("Template", "Phase", "Pod", "URL", "Age");
        assertThat(at(version.getSchema().getOpenAPIV3Schema(), "status", "conditions")
                        .getXKubernetesListMapKeys())
                .isEqualTo(java.util.List.of("type"));
        // Every phase the CRD allows is one the Java model knows, and the other way round, in the same order.
        assertThat(at(version.getSchema().getOpenAPIV3Schema(), "status", "phase")
                        .getEnum())
                .extracting(node -> node.asText())
                .containsExactly("Pending", "Provisioning", "Ready", "Failed", "Terminating")
                .containsExactlyElementsOf(java.util.Arrays.stream(JupyterNotebookInstanceStatus.Phase.values())
                        .map(JupyterNotebookInstanceStatus.Phase::getValue)
                        .toList());
    }
}
