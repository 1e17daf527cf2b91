package org.jupyterhub.kubespawner.templating;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;

/** Reads the committed examples in crds/examples, the same files users apply. */
final class Examples {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private Examples() {}

    static Path repoRoot() {
        String root = System.getProperty("jno.repo.root");
        return root != null ? Path.of(root) : Path.of("..").toAbsolutePath().normalize();
    }

    static Path example(String file) {
        return repoRoot().resolve("crds/examples").resolve(file);
    }

    static JupyterNotebookInstanceTemplate template(String file) {
        return read(example(file), JupyterNotebookInstanceTemplate.class);
    }

    static JupyterNotebookInstance instance(String file) {
        return read(example(file), JupyterNotebookInstance.class);
    }

    static <T> T read(Path path, Class<T> type) {
        try {
            return YAML.readValue(Files.readString(path), type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
