package org.jupyterhub.kubespawner.operator.template;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.jupyterhub.kubespawner.operator.Examples;
import org.jupyterhub.kubespawner.templating.CompiledTemplate;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplateStatus;

class TemplateStatusBuilderTest {

    private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
    private final JupyterNotebookInstanceTemplate template = Examples.template();

    private JupyterNotebookInstanceTemplateStatus build(JupyterNotebookInstanceTemplateStatus previous, Instant now) {
        return TemplateStatusBuilder.build(previous, CompiledTemplate.compile(template.getSpec()), 3, now);
    }

    @Test
    void validTemplateHasValidTrueAndNoProblems() {
        JupyterNotebookInstanceTemplateStatus s = build(null, T0);

        assertThat(s.getObservedGeneration()).isEqualTo(3L);
        assertThat(s.getProblems()).isEmpty();
        assertThat(s.getConditions()).singleElement().satisfies(c -> {
            assertThat(c.getType() + "=" + c.getStatus() + "/" + c.getReason()).isEqualTo("Valid=True/TemplateValid");
            assertThat(c.getObservedGeneration()).isEqualTo(3L);
        });
    }

    @Test
    void everyProblemIsListedWithItsPath() {
        template.getSpec().getPods().get(0).getLabels().put("team", "{team}");
        template.getSpec().getPods().get(0).getAnnotations().put("cost-centre", "{cost_centre}");

        JupyterNotebookInstanceTemplateStatus s = build(null, T0);

        assertThat(s.getProblems()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(s.getProblems()).anySatisfy(p -> {
            assertThat(p.getPath()).contains("pods[0].labels");
            assertThat(p.getMessage()).contains("team");
        });
        assertThat(s.getProblems()).anySatisfy(p -> assertThat(p.getMessage()).contains("cost_centre"));
        assertThat(s.getConditions()).singleElement().satisfies(c -> {
            assertThat(c.getStatus() + "/" + c.getReason()).isEqualTo("False/TemplateInvalid");
            assertThat(c.getMessage()).contains("problems").contains("team").contains("cost_centre");
        });
    }

    @Test
    void rebuildingLaterGivesAnEqualStatus() {
        JupyterNotebookInstanceTemplateStatus first = build(null, T0);

        assertThat(build(first, T0.plusSeconds(3600))).isEqualTo(first);
    }
}
