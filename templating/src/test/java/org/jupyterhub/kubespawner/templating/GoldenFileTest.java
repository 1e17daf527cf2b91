package org.jupyterhub.kubespawner.templating;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.jupyterhub.kubespawner.templating.slug.KubeSpawnerNames;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;

/**
 * Renders the committed examples (crds/examples) and compares with reviewed output in src/test/resources/golden.
 * After an intended change, regenerate with {@code -Dgolden.update=true} and review the diff.
 */
class GoldenFileTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS));

    private static void assertGolden(String name, RenderResult result) throws IOException {
        String actual = YAML.writeValueAsString(view(((RenderResult.Success) result).objects()));
        Path golden = Path.of("src/test/resources/golden").resolve(name);
        if (Boolean.getBoolean("golden.update")) {
            Files.createDirectories(golden.getParent());
            Files.writeString(golden, actual);
        }
        assertThat(actual).isEqualTo(Files.readString(golden));
    }

    /** The objects in creation order, each with its kind's field, weight and retention; then the notebook server. */
    private static Map<String, Object> view(RenderedObjects objects) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (RenderedObject o : objects.objects()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("kind", o.kind().field());
            entry.put("weight", o.weight());
            entry.put("retention", o.retention());
            entry.put("object", o.object());
            list.add(entry);
        }
        Map<String, Object> notebook = new LinkedHashMap<>();
        notebook.put("pod", objects.notebook().podName());
        notebook.put("container", objects.notebook().container());
        notebook.put("port", objects.notebook().port());
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("objects", list);
        view.put("notebook", notebook);
        return view;
    }

    private static Map<String, String> builtins(
            JupyterNotebookInstance instance, JupyterNotebookInstanceTemplate template) {
        return BuiltinVariables.of(
                instance.getMetadata().getName(),
                instance.getMetadata().getNamespace(),
                template.getMetadata().getName(),
                template.getMetadata().getNamespace());
    }

    @Test
    void z2jhTemplateWithTheExampleInstance() throws IOException {
        JupyterNotebookInstanceTemplate template = Examples.template("z2jh-default-template.yaml");
        JupyterNotebookInstance instance = Examples.instance("instance.yaml");
        CompiledTemplate compiled = CompiledTemplate.compile(template.getSpec());
        assertThat(compiled.problems()).isEmpty();
        RenderResult result = compiled.render(instance.getSpec().getVariables(), builtins(instance, template));
        assertThat(result).isInstanceOf(RenderResult.Success.class);
        assertGolden("z2jh-default.instance.yaml", result);
    }

    /** Values computed like KubeSpawner 7 for a named server give KubeSpawner's own pod and claim names. */
    @Test
    void z2jhTemplateWithKubeSpawnerNamesForANamedServer() throws IOException {
        JupyterNotebookInstanceTemplate template = Examples.template("z2jh-default-template.yaml");
        CompiledTemplate compiled = CompiledTemplate.compile(template.getSpec());
        KubeSpawnerNames names = KubeSpawnerNames.of("Grace.Hopper@example.org", "GPU Server");
        Map<String, String> values = new HashMap<>(names.asVariables());
        values.keySet().retainAll(compiled.declaredVariables());
        values.put("userid", "7");
        values.put("pvc_name", "claim-" + names.asVariables().get("user_server"));
        values.put("hub_namespace", "jupyterhub");
        RenderResult result =
                compiled.render(values, BuiltinVariables.of("grace", "jupyterhub", "z2jh-default", "jupyterhub"));
        assertThat(result).isInstanceOf(RenderResult.Success.class);
        RenderedObjects objects = ((RenderResult.Success) result).objects();
        // What KubeSpawner 7.1.0 itself renders for jupyter-{user_server} and claim-{user_server} for this user/server
        // (obtained by running KubeSpawner._expand_user_properties).
        assertThat(objects.notebook().podName()).isEqualTo("jupyter-grace-hopper-exam--gpu-server---f7273e89");
        assertThat(objects.objectsOf(ObjectKind.PERSISTENT_VOLUME_CLAIM)
                        .get(0)
                        .getMetadata()
                        .getName())
                .isEqualTo("claim-grace-hopper-exam--gpu-server---f7273e89");
        assertThat(names.usernameLabel()).isEqualTo("grace-hopper-example---faa6c838");
        assertGolden("z2jh-default.named-server.yaml", result);
    }
}
