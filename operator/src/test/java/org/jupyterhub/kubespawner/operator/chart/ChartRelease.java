package org.jupyterhub.kubespawner.operator.chart;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jupyterhub.kubespawner.e2e.ControlPlane;

/** The chart installed with the pinned helm ({@code helm install}) into a test class's namespace. */
final class ChartRelease implements AutoCloseable {

  private final ControlPlane cluster;
  private final String name;
  private final String namespace;

  private ChartRelease(ControlPlane cluster, String name, String namespace) {
    this.cluster = cluster;
    this.name = name;
    this.namespace = namespace;
  }

  /** Installs charts/jupyter-notebook-operator; the CRDs were applied server-side by the test, so helm skips them. */
  static ChartRelease install(ControlPlane cluster, String name, String namespace, String... sets) {
    List<String> args = new ArrayList<>(List.of("install", name, "charts/jupyter-notebook-operator",
        "--namespace", namespace, "--skip-crds"));
    for (String set : sets) {
      args.add("--set");
      args.add(set);
    }
    helm(cluster, args);
    return new ChartRelease(cluster, name, namespace);
  }

  /** The name the chart gives the operator's ServiceAccount, Deployment and Lease. */
  String fullname() {
    return name + "-jupyter-notebook-operator";
  }

  @Override
  public void close() {
    helm(cluster, List.of("uninstall", name, "--namespace", namespace, "--wait"));
  }

  private static void helm(ControlPlane cluster, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(cluster.cluster().helm().toString());
    command.addAll(args);
    Path state = cluster.repoRoot().resolve("operator/target/helm");
    ProcessBuilder builder = new ProcessBuilder(command).directory(cluster.repoRoot().toFile())
        .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    builder.environment().put("KUBECONFIG", cluster.kubeconfig().toString());
    builder.environment().put("HELM_CACHE_HOME", state.resolve("cache").toString());
    builder.environment().put("HELM_CONFIG_HOME", state.resolve("config").toString());
    builder.environment().put("HELM_DATA_HOME", state.resolve("data").toString());
    try {
      Process process = builder.start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new IllegalStateException("helm " + String.join(" ", args) + " failed:\n" + output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run helm", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running helm", e);
    }
  }
}
