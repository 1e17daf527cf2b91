package org.jupyterhub.kubespawner.operator.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The operator jar of the previous build of main, for the upgrade test: built from that commit's sources (exported
 * with {@code git archive} into a temporary directory, so the repository is not touched) and cached by commit under
 * {@code ~/.cache/jupyter-notebook-operator/upgrade/<commit>/}. The first build takes minutes; it prints a progress
 * line every 30 s. Concurrent test runs of other worktrees building the same commit wait for one another (a file
 * lock) and share the jar.
 *
 * <p>The previous build: {@code JNO_UPGRADE_FROM} (or {@code -Djno.upgrade.from}) when set; else the commit where
 * this branch left main ({@code git merge-base HEAD main}, or {@code origin/main} in a clone without a local main);
 * else, on main itself, {@code HEAD~1}.
 */
final class PreviousBuild {

    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(25);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(30);
    private static final String JAR = "jupyter-notebook-operator.jar";

    private PreviousBuild() {}

    /**
     * @param repo the repository's root
     * @return the previous build's jar, built now if it is not cached yet
     */
    static Path jar(Path repo) {
        String commit = commit(repo);
        Path dir = cacheDir().resolve("upgrade").resolve(commit);
        Path jar = dir.resolve(JAR);
        if (Files.isRegularFile(jar)) {
            System.out.println("[upgrade] previous build " + commit + ": cached " + jar);
            return jar;
        }
        try {
            Files.createDirectories(dir);
            try (FileChannel channel = FileChannel.open(
                            dir.resolveSibling(commit + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock lock = channel.lock()) {
                if (!Files.isRegularFile(jar)) { // else another run built it while this one waited
                    build(repo, commit, jar);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return jar;
    }

    /** @return the full hash of the previous build's commit */
    static String commit(Path repo) {
        String chosen = System.getProperty("jno.upgrade.from", System.getenv("JNO_UPGRADE_FROM"));
        if (chosen != null && !chosen.isBlank()) {
            return git(repo, "rev-parse", "--verify", chosen + "^{commit}");
        }
        String head = git(repo, "rev-parse", "HEAD");
        for (String main : List.of("main", "origin/main")) {
            if (run(repo, List.of("git", "rev-parse", "--verify", "--quiet", main), Duration.ofSeconds(30))
                    .ok()) {
                String base = git(repo, "merge-base", "HEAD", main);
                if (!base.equals(head)) {
                    return base;
                }
                break; // HEAD is on main: the build before it
            }
        }
        Result previous = run(repo, List.of("git", "rev-parse", "--verify", "HEAD~1"), Duration.ofSeconds(30));
        if (!previous.ok()) {
            throw new IllegalStateException("the commit before HEAD is not in this clone (a shallow clone?): fetch more"
                    + " history (git fetch --unshallow) or set JNO_UPGRADE_FROM=<commit>; git said: "
                    + previous.output);
        }
        return previous.output.trim();
    }

    private static void build(Path repo, String commit, Path jar) throws IOException {
        Path src = Files.createTempDirectory("jno-previous-" + commit.substring(0, 12) + "-");
        Path log = jar.resolveSibling("build.log");
        long start = System.nanoTime();
        try {
            Path tar = src.resolve("source.tar");
            git(repo, "archive", "--format=tar", "-o", tar.toString(), commit);
            Result unpack = run(src, List.of("tar", "-xf", tar.toString()), Duration.ofMinutes(2));
            if (!unpack.ok()) {
                throw new IllegalStateException("cannot unpack " + commit + ": " + unpack.output);
            }
            Files.delete(tar);
            System.out.println("[upgrade] building the previous operator (" + commit.substring(0, 12) + ") in " + src
                    + "; the first time takes minutes, log: " + log);
            List<String> mvn = List.of(
                    "mvn",
                    "-B",
                    "-ntp",
                    "-pl",
                    "operator",
                    "-am",
                    "package",
                    "-Dmaven.test.skip=true",
                    "-Dmaven.javadoc.skip=true",
                    "-Dmaven.source.skip=true",
                    "-Dspotless.check.skip=true");
            Process process = new ProcessBuilder(mvn)
                    .directory(src.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            long deadline = start + BUILD_TIMEOUT.toNanos();
            while (!process.waitFor(PROGRESS_EVERY.toSeconds(), TimeUnit.SECONDS)) {
                if (System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    throw new IllegalStateException(
                            "building " + commit + " took over " + BUILD_TIMEOUT + "; see " + log);
                }
                System.out.println(
                        "[upgrade] still building the previous operator, " + seconds(start) + " s: " + lastLine(log));
            }
            Path built = src.resolve("operator/target").resolve(JAR);
            if (process.exitValue() != 0 || !Files.isRegularFile(built)) {
                throw new IllegalStateException("building " + commit + " failed (exit " + process.exitValue()
                        + "); the end of " + log + ":\n" + tail(log));
            }
            Path partial = jar.resolveSibling(JAR + ".partial");
            Files.copy(built, partial, StandardCopyOption.REPLACE_EXISTING);
            Files.move(partial, jar, StandardCopyOption.ATOMIC_MOVE);
            System.out.println("[upgrade] built the previous operator in " + seconds(start) + " s: " + jar);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while building " + commit, e);
        } finally {
            deleteTree(src);
        }
    }

    private static Path cacheDir() {
        String dir = System.getenv("JNO_CACHE_DIR");
        return dir != null && !dir.isBlank()
                ? Path.of(dir)
                : Path.of(System.getProperty("user.home"), ".cache", "jupyter-notebook-operator");
    }

    private record Result(int exit, String output) {
        boolean ok() {
            return exit == 0;
        }
    }

    private static String git(Path repo, String... args) {
        List<String> command = new ArrayList<>(List.of("git", "-C", repo.toString()));
        command.addAll(List.of(args));
        Result r = run(repo, command, Duration.ofMinutes(2));
        if (!r.ok()) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + r.output);
        }
        return r.output.trim();
    }

    private static Result run(Path dir, List<String> command, Duration timeout) {
        try {
            Path out = Files.createTempFile("jno-git-", ".out");
            try {
                Process p = new ProcessBuilder(command)
                        .directory(dir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(out.toFile())
                        .start();
                if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return new Result(-1, String.join(" ", command) + " timed out");
                }
                return new Result(p.exitValue(), Files.readString(out));
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static long seconds(long startNanos) {
        return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNanos);
    }

    private static String lastLine(Path log) {
        List<String> lines = lines(log);
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    private static String tail(Path log) {
        List<String> lines = lines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    private static List<String> lines(Path log) {
        try {
            return Files.readAllLines(log);
        } catch (IOException e) {
            return List.of();
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.out.println("[upgrade] could not delete " + root + ": " + e);
        }
    }
}
