package org.jupyterhub.kubespawner.e2e.chart;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jupyterhub.kubespawner.e2e.ControlPlane;

/**
 * The chart installed with the pinned helm into a test class's namespace, as an administrator would
 * ({@code helm install}), and uninstalled afterwards (its cluster-scoped objects outlive the namespace otherwise).
 */
final class HelmRelease implements AutoCloseable {

  static final String CHART = "charts/jupyter-notebook-operator";

  private final ControlPlane cluster;
  private final String name;
  private final String namespace;

  private HelmRelease(ControlPlane cluster, String name, String namespace) {
    this.cluster = cluster;
    this.name = name;
    this.namespace = namespace;
  }

  /**
   * Installs the chart. CRDs are applied by the test first (server-side, as every IT does), so helm skips them.
   *
   * @param sets {@code --set} arguments, e.g. {@code operator.replicas=2}
   */
  static HelmRelease install(ControlPlane cluster, String name, String namespace, String... sets) {
    List<String> args = new ArrayList<>(List.of("install", name, CHART, "--namespace", namespace, "--skip-crds"));
    for (String set : sets) {
      args.add("--set");
      args.add(set);
    }
    run(cluster, args);
    return new HelmRelease(cluster, name, namespace);
  }

  /** The operator's ServiceAccount as the chart names it. */
  String operatorServiceAccount() {
    return name + "-jupyter-notebook-operator";
  }

  /** The admission policy's name (cluster-scoped: namespace-release-chart-hub). */
  String admissionPolicy() {
    return namespace + "-" + name + "-jupyter-notebook-operator-hub";
  }

  @Override
  public void close() {
    run(cluster, List.of("uninstall", name, "--namespace", namespace, "--wait"));
  }

  private static String run(ControlPlane cluster, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(cluster.cluster().helm().toString());
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).directory(cluster.repoRoot().toFile())
        .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    builder.environment().put("KUBECONFIG", cluster.kubeconfig().toString());
    builder.environment().put("HELM_CACHE_HOME", cluster.repoRoot().resolve("e2e/target/helm/cache").toString());
    builder.environment().put("HELM_CONFIG_HOME", cluster.repoRoot().resolve("e2e/target/helm/config").toString());
    builder.environment().put("HELM_DATA_HOME", cluster.repoRoot().resolve("e2e/target/helm/data").toString());
    try {
      Process process = builder.start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new IllegalStateException("helm " + String.join(" ", args) + " failed:\n" + output);
      }
      return output;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run helm", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running helm", e);
    }
  }
}
