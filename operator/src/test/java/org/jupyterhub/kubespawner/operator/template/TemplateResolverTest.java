package org.jupyterhub.kubespawner.operator.template;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.jupyterhub.kubespawner.operator.Examples;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;

class TemplateResolverTest {

    private final JupyterNotebookInstanceTemplate template = Examples.template(); // jupyterhub/z2jh-default
    private final JupyterNotebookInstance instance = Examples.instance(); // in jupyterhub

    private TemplateResolution resolve() {
        return new TemplateResolver(
                        (ns, name) -> ns.equals(template.getMetadata().getNamespace())
                                        && name.equals(template.getMetadata().getName())
                                ? template
                                : null)
                .resolve(instance);
    }

    @Test
    void templateInTheSameNamespaceResolves() {
        assertThat(resolve()).isEqualTo(new TemplateResolution.Resolved(template));
    }

    @Test
    void unknownTemplateIsNotFound() {
        instance.getSpec().getTemplate().setName("nope");

        assertThat(resolve())
                .isInstanceOfSatisfying(
                        TemplateResolution.NotFound.class,
                        n -> assertThat(n.message()).isEqualTo("template jupyterhub/nope does not exist"));
    }

    @Test
    void templateInAnotherNamespaceNeedsItsPolicy() {
        instance.getMetadata().setNamespace("team-a");
        instance.getSpec().getTemplate().setNamespace("jupyterhub");

        assertThat(resolve())
                .isInstanceOfSatisfying(
                        TemplateResolution.Forbidden.class,
                        f -> assertThat(f.message())
                                .contains("jupyterhub/z2jh-default")
                                .contains("team-a")
                                .contains("policy.allowedNamespaces"));

        template.getSpec().getPolicy().setAllowedNamespaces(List.of("team-b", "team-a"));
        assertThat(resolve()).isInstanceOf(TemplateResolution.Resolved.class);

        template.getSpec().getPolicy().setAllowedNamespaces(List.of("*"));
        assertThat(resolve()).isInstanceOf(TemplateResolution.Resolved.class);
    }

    @Test
    void templateNamespaceDefaultsToTheInstances() {
        assertThat(TemplateResolver.templateNamespace(instance)).isEqualTo("jupyterhub");
        instance.getSpec().getTemplate().setNamespace("shared");
        assertThat(TemplateResolver.templateNamespace(instance)).isEqualTo("shared");
    }
}
