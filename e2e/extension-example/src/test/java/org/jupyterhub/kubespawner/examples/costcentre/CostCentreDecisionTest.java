package org.jupyterhub.kubespawner.examples.costcentre;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceBuilder;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatusBuilder;

class CostCentreDecisionTest {

    private static JupyterNotebookInstance instance(
            Map<String, String> properties, JupyterNotebookInstanceStatus.Phase phase) {
        return new JupyterNotebookInstanceBuilder()
                .withNewMetadata()
                .withName("jupyter-ada")
                .withNamespace("hub")
                .endMetadata()
                .withNewSpec()
                .withNewTemplate()
                .withName("z2jh-default")
                .endTemplate()
                .withProperties(properties)
                .endSpec()
                .withStatus(
                        phase == null
                                ? null
                                : new JupyterNotebookInstanceStatusBuilder()
                                        .withPhase(phase)
                                        .build())
                .build();
    }

    @Test
    void withoutThePropertyTheInstanceIsNotItsBusiness() {
        assertThat(CostCentreDecision.of(instance(null, JupyterNotebookInstanceStatus.Phase.READY)))
                .isEqualTo(new CostCentreDecision.Ignore());
        assertThat(CostCentreDecision.of(instance(Map.of("example.org/other", "x"), null)))
                .isEqualTo(new CostCentreDecision.Ignore());
    }

    @Test
    void aValidCostCentreIsChargedOnceTheServerIsReady() {
        Map<String, String> properties = Map.of(CostCentreDecision.PROPERTY, "RS-0042");
        assertThat(CostCentreDecision.of(instance(properties, JupyterNotebookInstanceStatus.Phase.PROVISIONING)))
                .isEqualTo(new CostCentreDecision.Wait());
        assertThat(CostCentreDecision.of(instance(properties, JupyterNotebookInstanceStatus.Phase.READY)))
                .isEqualTo(new CostCentreDecision.Charge(
                        "RS-0042", "notebook server jupyter-ada in hub is charged to RS-0042"));
    }

    @Test
    void anUntrustedValueIsRejectedWithTheReasonAndNeverExpanded() {
        for (String hostile : new String[] {"rs-42", "{instance_name}", "RS-00421", "${env:HOME}"}) {
            CostCentreDecision decision = CostCentreDecision.of(
                    instance(Map.of(CostCentreDecision.PROPERTY, hostile), JupyterNotebookInstanceStatus.Phase.READY));
            assertThat(decision).as(hostile).isInstanceOf(CostCentreDecision.Reject.class);
            assertThat(((CostCentreDecision.Reject) decision).note())
                    .startsWith("property example.org/cost-centre rejected: ")
                    .doesNotContain("jupyter-ada");
        }
    }
}
