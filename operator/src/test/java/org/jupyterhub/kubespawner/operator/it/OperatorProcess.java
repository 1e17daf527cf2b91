package org.jupyterhub.kubespawner.operator.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jupyterhub.kubespawner.e2e.ControlPlane;

/**
 * A packaged operator ({@code java -jar operator/target/jupyter-notebook-operator.jar}, or another build's jar) as a
 * child process.
 */
final class OperatorProcess implements AutoCloseable {

    static final Path JAR = Path.of("target", "jupyter-notebook-operator.jar");

    private final Process process;
    private final Path log;
    final int port;

    private OperatorProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    static OperatorProcess start(ControlPlane cluster, String name, String... flags) {
        return start(JAR, cluster, name, flags);
    }

    /**
     * @param jar the operator's fat jar
     * @param cluster the control plane it works on (its admin kubeconfig)
     * @param name its identity and the name of its log, target/operator-NAME.log
     * @param flags further flags
     */
    static OperatorProcess start(Path jar, ControlPlane cluster, String name, String... flags) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " is missing: run the package phase first");
        }
        try {
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            Path log = Path.of("target", "operator-" + name + ".log");
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m",
                    "-jar",
                    jar.toString(),
                    "--http-port=" + port,
                    "--identity=" + name));
            command.addAll(List.of(flags));
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().put("KUBECONFIG", cluster.kubeconfig().toString());
            return new OperatorProcess(builder.start(), log, port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** GET on the operator's HTTP port; returns "status body". */
    String get(String path) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            return r.statusCode() + " " + r.body();
        } catch (IOException e) {
            return "unreachable " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Kills the process at once (SIGKILL): no shutdown hook, no cleanup. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    boolean alive() {
        return process.isAlive();
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(15, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
