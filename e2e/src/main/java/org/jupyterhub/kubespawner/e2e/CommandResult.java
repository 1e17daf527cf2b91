package org.jupyterhub.kubespawner.e2e;

/**
 * What one run of a command (kubectl, e2e/cluster) produced.
 *
 * @param exitCode the process exit code (0 on success)
 * @param output standard output and standard error, interleaved as the command wrote them
 */
public record CommandResult(int exitCode, String output) {

    /**
     * Whether the command exited with 0.
     *
     * @return true on success
     */
    public boolean succeeded() {
        return exitCode == 0;
    }
}
