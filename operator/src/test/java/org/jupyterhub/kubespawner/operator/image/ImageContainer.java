package org.jupyterhub.kubespawner.operator.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs an unpacked image the way a container runtime runs a pod's container, without one: in new mount and PID
 * namespaces ({@code unshare}), the root file system bind-mounted read-only (the chart's
 * {@code readOnlyRootFilesystem}), {@code /proc}, a few device nodes, an empty {@code /tmp} (the chart's emptyDir)
 * and the ServiceAccount directory (token, ca.crt, namespace) mounted as the kubelet would, then {@code chroot} to it
 * as the image's user, with exactly the given environment. The network is the host's, so the API server and the
 * operator's HTTP port are on 127.0.0.1. Needs root (CI runs as root), as a container runtime does.
 */
final class ImageContainer implements AutoCloseable {

    static final String SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

    private final Process process;
    private final Path log;

    private ImageContainer(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static ImageContainer start(OciImage image, Path serviceAccount, Map<String, String> env, Path log)
            throws IOException {
        Path root = image.rootfs();
        // mount points a runtime creates; made before the root turns read-only
        for (String dir : List.of("proc", "dev", "tmp", SERVICE_ACCOUNT_DIR.substring(1))) {
            Files.createDirectories(root.resolve(dir));
        }
        String script = String.join(
                "\n",
                "set -eu",
                "R=\"$1\"; SA=\"$2\"; USERSPEC=\"$3\"; shift 3",
                "mount --bind \"$R\" \"$R\"",
                "mount -t proc proc \"$R/proc\"",
                "mount -t tmpfs -o size=64m,mode=1777 tmpfs \"$R/tmp\"",
                "mount -t tmpfs -o size=1m,mode=755 tmpfs \"$R/dev\"",
                "for d in null zero random urandom; do touch \"$R/dev/$d\"; mount --bind \"/dev/$d\" \"$R/dev/$d\"; done",
                "mount --bind -o ro \"$SA\" \"$R" + SERVICE_ACCOUNT_DIR + "\"",
                "mount -o remount,bind,ro \"$R\"",
                "exec chroot --userspec=\"$USERSPEC\" \"$R\" \"$@\"");
        List<String> command = new ArrayList<>(List.of(
                "unshare",
                "--mount",
                "--pid",
                "--fork",
                "--kill-child=SIGTERM",
                "--",
                "/bin/sh",
                "-c",
                script,
                "container",
                root.toString(),
                serviceAccount.toString(),
                image.user()));
        command.addAll(image.entrypoint());
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        builder.environment().clear();
        // PATH only for the host's sh, mount and chroot; the image's process gets it too, and has no shell to use it
        builder.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        builder.environment().putAll(env);
        return new ImageContainer(builder.start(), log);
    }

    /** The image's process (the JVM), once chroot has exec'd it: the deepest descendant of unshare. */
    Optional<ProcessHandle> mainProcess() {
        return process.descendants()
                .filter(p -> p.children().findAny().isEmpty())
                .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
                .findFirst();
    }

    boolean alive() {
        return process.isAlive();
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        // SIGTERM to unshare, which passes it on to the JVM (--kill-child=SIGTERM): a pod's termination
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor();
        }
    }
}
