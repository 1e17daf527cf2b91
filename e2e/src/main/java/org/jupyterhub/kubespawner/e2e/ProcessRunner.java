package org.jupyterhub.kubespawner.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Runs a child process to completion, collecting its combined output and optionally echoing it line by line. */
final class ProcessRunner {

    private ProcessRunner() {}

    static CommandResult run(
            List<String> command,
            Path workingDir,
            Map<String, String> env,
            String stdin,
            Duration timeout,
            Consumer<String> echo) {
        ProcessBuilder builder =
                new ProcessBuilder(command).directory(workingDir.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        if (stdin == null) {
            // No standard input at all (CI runs without one); nothing may wait for a terminal.
            builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + String.join(" ", command), e);
        }
        StringBuilder output = new StringBuilder();
        // Read on another thread so a process that fills its pipe cannot deadlock with our waitFor and timeout.
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader lines = new BufferedReader(
                            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                            synchronized (output) {
                                output.append(line).append('\n');
                            }
                            if (echo != null) {
                                echo.accept(line);
                            }
                        }
                    } catch (IOException ignored) {
                        // the process went away; what was read so far is kept
                    }
                },
                "output of " + command.get(0));
        reader.setDaemon(true);
        reader.start();
        try {
            if (stdin != null) {
                try (OutputStream in = process.getOutputStream()) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                reader.join(1000);
                throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout
                        + "; output so far:\n" + snapshot(output));
            }
            reader.join(5000);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the standard input of " + String.join(" ", command), e);
        }
        return new CommandResult(process.exitValue(), snapshot(output));
    }

    private static String snapshot(StringBuilder output) {
        synchronized (output) {
            return output.toString();
        }
    }
}
