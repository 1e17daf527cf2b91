package org.jupyterhub.kubespawner.v1;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancespec.EnvSecretRefBuilder;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancespec.TemplateBuilder;

/** The sundrio builders produce exactly the objects the YAML examples describe. */
class BuildersTest {

    @Test
    void instanceBuiltInJavaEqualsTheExample() {
        String user = "ada-lovelace-example-org---7799473f";
        Map<String, String> variables = new LinkedHashMap<>();
        variables.put("username", user);
        variables.put("unescaped_username", "ada.lovelace@example.org");
        variables.put("servername", "");
        variables.put("unescaped_servername", "");
        variables.put("user_server", user);
        variables.put("userid", "42");
        variables.put("pvc_name", "claim-" + user);
        variables.put("hub_namespace", "jupyterhub");
        Map<String, String> env = new LinkedHashMap<>();
        env.put("JUPYTERHUB_API_URL", "http://hub:8081/hub/api");
        env.put("JUPYTERHUB_USER", "ada.lovelace@example.org");
        env.put("JUPYTERHUB_SERVICE_PREFIX", "/user/ada.lovelace@example.org/");
        env.put("JUPYTERHUB_SERVICE_URL", "http://0.0.0.0:8888/user/ada.lovelace@example.org/");
        env.put("JUPYTERHUB_OAUTH_CALLBACK_URL", "/user/ada.lovelace@example.org/oauth_callback");
        env.put("JUPYTERHUB_CLIENT_ID", "jupyterhub-user-ada.lovelace%40example.org");
        env.put("JUPYTERHUB_BASE_URL", "/");

        JupyterNotebookInstance built = new JupyterNotebookInstanceBuilder()
                .withNewMetadata()
                .withName("jupyter-" + user)
                .withNamespace("jupyterhub")
                .addToLabels("hub.jupyter.org/username", user)
                .endMetadata()
                .withNewSpec()
                .withTemplate(new TemplateBuilder().withName("z2jh-default").build())
                .withVariables(variables)
                .withEnv(env)
                .withEnvSecretRef(
                        new EnvSecretRefBuilder().withName("jupyter-" + user).build())
                .addToArgs("jupyterhub-singleuser")
                .endSpec()
                .build();

        JupyterNotebookInstance parsed = Serialization.unmarshal(
                Examples.read(Examples.example("instance.yaml")), JupyterNotebookInstance.class);
        assertThat(built).isEqualTo(parsed);
    }

    @Test
    void templateExampleCanBeEditedThroughItsBuilder() {
        JupyterNotebookInstanceTemplate parsed = Serialization.unmarshal(
                Examples.read(Examples.example("z2jh-default-template.yaml")), JupyterNotebookInstanceTemplate.class);

        JupyterNotebookInstanceTemplate edited = new JupyterNotebookInstanceTemplateBuilder(parsed)
                .editSpec()
                .editPolicy()
                .withAllowArgs(false)
                .endPolicy()
                .endSpec()
                .build();

        assertThat(edited.getSpec().getPolicy().getAllowArgs()).isFalse();
        assertThat(parsed.getSpec().getPolicy().getAllowArgs())
                .as("the original is untouched")
                .isTrue();
        JupyterNotebookInstanceTemplate copy = new JupyterNotebookInstanceTemplateBuilder(parsed).build();
        assertThat(Serialization.asYaml(copy)).isEqualTo(Serialization.asYaml(parsed));
        // Not equals() on the whole template: fabric8's Quantity.equals throws on a placeholder such as "{mem_limit}".
        assertThat(copy.getSpec().getVariables()).isEqualTo(parsed.getSpec().getVariables());
        assertThat(copy.getSpec().getPolicy()).isEqualTo(parsed.getSpec().getPolicy());
    }
}
