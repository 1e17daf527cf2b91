package org.jupyterhub.kubespawner.v1;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the repository's crds/ directory and its examples for tests. */
final class Examples {

    private Examples() {}

    static Path crds() {
        String root = System.getProperty("jno.repo.root");
        Path start = root != null ? Path.of(root) : Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("crds/examples"))) {
                return dir.resolve("crds");
            }
        }
        throw new IllegalStateException("crds/ not found above " + start);
    }

    static Path example(String name) {
        return crds().resolve("examples").resolve(name);
    }

    static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
