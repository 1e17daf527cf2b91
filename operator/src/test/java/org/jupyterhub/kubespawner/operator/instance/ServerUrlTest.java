package org.jupyterhub.kubespawner.operator.instance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.jupyterhub.kubespawner.operator.Examples;
import org.jupyterhub.kubespawner.operator.template.TemplateResolution;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;

class ServerUrlTest {

    private static TemplateResolution withPattern(String pattern) {
        JupyterNotebookInstanceTemplate template = Examples.template();
        template.getMetadata().setAnnotations(pattern == null ? null : Map.of(ServerUrl.ANNOTATION, pattern));
        return new TemplateResolution.Resolved(template);
    }

    @Test
    void withoutAnAnnotationThePodsAddress() {
        assertThat(ServerUrl.of(withPattern(null), "jupyter-ada", "10.1.2.3", 8888))
                .isEqualTo(new ServerUrl.Choice("http://10.1.2.3:8888", null));
        assertThat(ServerUrl.of(withPattern(null), "jupyter-ada", "fd00::5", 8888)
                        .url())
                .isEqualTo("http://[fd00::5]:8888");
    }

    @Test
    void theTemplatesPatternWithThePodsNameForAnIngressHost() {
        assertThat(ServerUrl.of(withPattern("https://{podName}.b.hub.example.org/"), "jupyter-ada", "10.1.2.3", 8888))
                .isEqualTo(new ServerUrl.Choice("https://jupyter-ada.b.hub.example.org/", null));
        assertThat(ServerUrl.of(withPattern("http://{podIP}:{port}"), "jupyter-ada", "fd00::5", 8888)
                        .url())
                .isEqualTo("http://[fd00::5]:8888");
    }

    @Test
    void aBadPatternIsNamedAndThePodsAddressUsed() {
        ServerUrl.Choice unknown =
                ServerUrl.of(withPattern("https://{username}.example.org"), "jupyter-ada", "10.1.2.3", 8888);
        assertThat(unknown.url()).isEqualTo("http://10.1.2.3:8888");
        assertThat(unknown.problem()).contains("uses {username}; allowed: {podName}, {podIP}, {port}");
        ServerUrl.Choice notHttp = ServerUrl.of(withPattern("ftp://{podName}"), "jupyter-ada", "10.1.2.3", 8888);
        assertThat(notHttp.url()).isEqualTo("http://10.1.2.3:8888");
        assertThat(notHttp.problem()).contains("does not make an http(s) URL: ftp://jupyter-ada");
    }
}
