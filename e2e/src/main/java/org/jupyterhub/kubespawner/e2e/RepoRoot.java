package org.jupyterhub.kubespawner.e2e;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the repository root: the {@code jno.repo.root} system property (set by the parent pom for Surefire and
 * Failsafe), else the nearest directory at or above the working directory that holds {@code e2e/cluster}.
 */
public final class RepoRoot {

    /** The system property naming the repository root. */
    public static final String PROPERTY = "jno.repo.root";

    private RepoRoot() {}

    /**
     * Locates the repository root.
     *
     * @return the absolute, normalized repository root
     * @throws IllegalStateException if neither the property nor the working directory lead to a checkout
     */
    public static Path locate() {
        String configured = System.getProperty(PROPERTY);
        if (configured != null && !configured.isBlank()) {
            Path root = Path.of(configured).toAbsolutePath().normalize();
            if (!isRoot(root)) {
                throw new IllegalStateException("-D" + PROPERTY + "=" + configured
                        + " does not point at the repository root (no e2e/cluster there)");
            }
            return root;
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (isRoot(dir)) {
                return dir;
            }
        }
        throw new IllegalStateException("cannot find the repository root: set -D" + PROPERTY
                + "=<checkout> or run from inside the checkout (looked for e2e/cluster above "
                + Path.of("").toAbsolutePath() + ")");
    }

    private static boolean isRoot(Path dir) {
        return Files.isRegularFile(dir.resolve("e2e").resolve("cluster"));
    }
}
