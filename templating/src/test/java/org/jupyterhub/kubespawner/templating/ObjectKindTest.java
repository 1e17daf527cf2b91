package org.jupyterhub.kubespawner.templating;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.jupyterhub.kubespawner.templating.core.FieldRule;
import org.jupyterhub.kubespawner.templating.core.FieldRule.Check;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplateSpec;

/** The table of kinds is consistent with fabric8's types and with the template CRD. */
class ObjectKindTest {

    @Test
    void eachRowsTypeDefaultsToItsApiVersionAndKind() {
        for (ObjectKind<?> kind : ObjectKind.ALL) {
            assertThat(HasMetadata.getApiVersion(kind.type())).as(kind.field()).isEqualTo(kind.apiVersion());
            assertThat(HasMetadata.getKind(kind.type())).as(kind.field()).isEqualTo(kind.kind());
        }
    }

    @Test
    void eachRowIsAListOfTheTemplateSpec() {
        Set<String> specFields = Arrays.stream(JupyterNotebookInstanceTemplateSpec.class.getDeclaredFields())
                .map(f -> f.getAnnotation(JsonProperty.class))
                .filter(p -> p != null)
                .map(JsonProperty::value)
                .collect(Collectors.toSet());
        assertThat(ObjectKind.ALL).extracting(ObjectKind::field).doesNotHaveDuplicates();
        assertThat(specFields)
                .containsAll(ObjectKind.ALL.stream().map(ObjectKind::field).toList());
        assertThat(ObjectKind.ALL).filteredOn(ObjectKind::notebookServer).containsExactly(ObjectKind.POD);
    }

    @Test
    void rulesApplyInsideTheBodyAndPodSpecsAreWhereTheTypeHasThem() throws Exception {
        for (ObjectKind<?> kind : ObjectKind.ALL) {
            for (FieldRule rule : kind.rules()) {
                assertThat(kind.body())
                        .as(rule.pattern())
                        .contains(rule.pattern().split("[.\\[]")[0]);
            }
            for (String field : kind.body()) {
                assertThat(declaredJsonProperties(kind.type())).as(kind.field()).contains(field);
            }
        }
        assertThat(ObjectKind.ALL).filteredOn(k -> k.podSpec() != null).containsExactly(ObjectKind.POD);
        assertThat(ObjectKind.ALL)
                .filteredOn(ObjectKind::retainable)
                .containsExactly(ObjectKind.PERSISTENT_VOLUME_CLAIM);
    }

    @Test
    void creationOrderProtectsPodsFirst() {
        assertThat(ObjectKind.PERSISTENT_VOLUME_CLAIM.creationGroup()).isLessThan(ObjectKind.POD.creationGroup());
        assertThat(ObjectKind.NETWORK_POLICY.creationGroup()).isLessThan(ObjectKind.POD.creationGroup());
        assertThat(ObjectKind.NETWORK_POLICY.creationGroup()).isLessThan(ObjectKind.SERVICE.creationGroup());
    }

    @Test
    void badRowsAreRefused() {
        assertThat(serviceRow(Check.DNS1035_LABEL, List.of("spec"), false).kind())
                .isEqualTo("Service");
        assertThatThrownBy(() -> serviceRow(Check.DNS1035_LABEL, List.of("spec"), true))
                .hasMessageContaining("only pods can be the notebook server");
        assertThatThrownBy(() -> serviceRow(Check.LABELS, List.of("spec"), false))
                .hasMessageContaining("nameRule must be a DNS name check");
        assertThatThrownBy(() -> serviceRow(Check.DNS1035_LABEL, List.of("status"), false))
                .hasMessageContaining("requiredBody a subset");
    }

    private static ObjectKind<Service> serviceRow(Check nameRule, List<String> requiredBody, boolean notebookServer) {
        return new ObjectKind<>(
                "services",
                "v1",
                "Service",
                Service.class,
                nameRule,
                List.of("spec"),
                requiredBody,
                List.of(),
                2,
                false,
                null,
                notebookServer,
                JupyterNotebookInstanceTemplateSpec::getServices);
    }

    private static Set<String> declaredJsonProperties(Class<?> type) {
        return Arrays.stream(type.getDeclaredFields())
                .map((Field f) -> f.getAnnotation(JsonProperty.class))
                .filter(p -> p != null)
                .map(JsonProperty::value)
                .collect(Collectors.toSet());
    }
}
