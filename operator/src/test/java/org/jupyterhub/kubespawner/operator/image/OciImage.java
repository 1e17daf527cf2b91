package org.jupyterhub.kubespawner.operator.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An OCI image archive (an OCI image layout in a tar, as Jib's buildTar writes it) unpacked the way a container
 * runtime does: the manifest's layers extracted in order into one root file system, and the image configuration.
 */
record OciImage(String reference, JsonNode config, Path rootfs, long archiveBytes) {

    private static final ObjectMapper JSON = new ObjectMapper();

    static OciImage unpack(Path archive, Path workDir) throws IOException, InterruptedException {
        Path layout = workDir.resolve("layout");
        Path rootfs = workDir.resolve("rootfs");
        deleteTree(workDir);
        Files.createDirectories(layout);
        Files.createDirectories(rootfs);
        tar("-xf", archive.toString(), "-C", layout.toString());
        JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
        JsonNode descriptor = index.path("manifests").get(0);
        String reference = descriptor
                .path("annotations")
                .path("org.opencontainers.image.ref.name")
                .asText();
        JsonNode manifest = JSON.readTree(blob(layout, descriptor).toFile());
        JsonNode config = JSON.readTree(blob(layout, manifest.path("config")).toFile());
        for (JsonNode layer : manifest.path("layers")) {
            // whiteouts cannot occur: every layer of this image only adds files
            tar("-xzf", blob(layout, layer).toString(), "-C", rootfs.toString());
        }
        return new OciImage(reference, config.path("config"), rootfs, Files.size(archive));
    }

    List<String> entrypoint() {
        List<String> args = new ArrayList<>();
        config.path("Entrypoint").forEach(a -> args.add(a.asText()));
        config.path("Cmd").forEach(a -> args.add(a.asText()));
        return args;
    }

    Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode e : config.path("Env")) {
            String[] kv = e.asText().split("=", 2);
            env.put(kv[0], kv[1]);
        }
        return env;
    }

    String user() {
        return config.path("User").asText();
    }

    private static Path blob(Path layout, JsonNode descriptor) {
        String[] digest = descriptor.path("digest").asText().split(":", 2);
        return layout.resolve("blobs").resolve(digest[0]).resolve(digest[1]);
    }

    private static void tar(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("tar", "--no-same-owner"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }

    static void deleteTree(Path dir) throws IOException, InterruptedException {
        if (Files.exists(dir)) {
            // rm, not Files.walk: the tree holds read-only directories and files of other owners
            Process p = new ProcessBuilder("rm", "-rf", dir.toString()).start();
            if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IOException("could not remove " + dir);
            }
        }
    }
}
