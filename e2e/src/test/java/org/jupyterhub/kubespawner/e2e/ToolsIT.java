package org.jupyterhub.kubespawner.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The binaries are the versions pinned in e2e/versions.env, and kubectl and helm reach the cluster. */
class ToolsIT {

    @RegisterExtension
    static final ControlPlane cluster = ControlPlane.perClass();

    @Test
    void serverAndKubectlReportThePinnedKubernetesVersion() throws IOException {
        String pinned = pinned("KUBERNETES_VERSION");

        CommandResult version = cluster.kubectl("version");

        assertThat(version.succeeded()).as(version.output()).isTrue();
        assertThat(version.output()).contains("Client Version: " + pinned).contains("Server Version: " + pinned);
        assertThat(cluster.admin().getKubernetesVersion().getGitVersion()).isEqualTo(pinned);
    }

    @Test
    void helmIsThePinnedVersionAndTalksToTheCluster() throws IOException {
        String helm = cluster.cluster().helm().toString();
        Map<String, String> env = Map.of(
                "KUBECONFIG",
                cluster.kubeconfig().toString(),
                "HELM_CACHE_HOME",
                cluster.repoRoot().resolve("e2e/target/helm/cache").toString(),
                "HELM_CONFIG_HOME",
                cluster.repoRoot().resolve("e2e/target/helm/config").toString(),
                "HELM_DATA_HOME",
                cluster.repoRoot().resolve("e2e/target/helm/data").toString());

        CommandResult version = ProcessRunner.run(
                List.of(helm, "version", "--short"), cluster.repoRoot(), env, null, Duration.ofMinutes(1), null);
        CommandResult list = ProcessRunner.run(
                List.of(helm, "list", "-n", cluster.namespace()),
                cluster.repoRoot(),
                env,
                null,
                Duration.ofMinutes(1),
                null);

        assertThat(version.output()).startsWith(pinned("HELM_VERSION"));
        assertThat(list.succeeded()).as(list.output()).isTrue();
        assertThat(list.output()).startsWith("NAME");
    }

    private static String pinned(String key) throws IOException {
        Properties versions = new Properties();
        try (var in = Files.newInputStream(cluster.repoRoot().resolve("e2e").resolve("versions.env"))) {
            versions.load(in);
        }
        return versions.getProperty(key);
    }
}
