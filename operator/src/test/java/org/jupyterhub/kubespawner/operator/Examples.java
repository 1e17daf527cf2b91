package org.jupyterhub.kubespawner.operator;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;

/** The repository's examples (crds/examples), for unit tests. */
public final class Examples {

    private Examples() {}

    private static Path file(String name) {
        String root = System.getProperty("jno.repo.root", "..");
        return Path.of(root, "crds", "examples", name);
    }

    private static <T> T load(String name, Class<T> type) {
        try (InputStream in = Files.newInputStream(file(name))) {
            return Serialization.unmarshal(in, type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the Z2JH default template, with a uid and generation as the API server would set */
    public static JupyterNotebookInstanceTemplate template() {
        JupyterNotebookInstanceTemplate t = load("z2jh-default-template.yaml", JupyterNotebookInstanceTemplate.class);
        t.getMetadata().setUid("11111111-2222-3333-4444-555555555555");
        t.getMetadata().setGeneration(3L);
        return t;
    }

    /** @return the example instance, with a uid and generation */
    public static JupyterNotebookInstance instance() {
        JupyterNotebookInstance i = load("instance.yaml", JupyterNotebookInstance.class);
        i.getMetadata().setUid("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
        i.getMetadata().setGeneration(1L);
        i.getMetadata().setCreationTimestamp("2026-01-01T00:00:00Z");
        return i;
    }
}
