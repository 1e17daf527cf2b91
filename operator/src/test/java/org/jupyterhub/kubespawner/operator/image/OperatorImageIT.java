package org.jupyterhub.kubespawner.operator.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.jupyterhub.kubespawner.e2e.ControlPlane;
import org.jupyterhub.kubespawner.e2e.HelmRelease;
import org.jupyterhub.kubespawner.operator.chart.ChartDeployment;
import org.jupyterhub.kubespawner.operator.it.Fixtures;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus.Phase;

/**
 * The operator's image itself (the OCI archive of {@code mvn -Pimage package}) runs the chart's workload: the chart is
 * installed with helm, the image's root file system is unpacked and started the way the chart's pod would run it
 * (read-only root, non-root user, the chart's environment, the chart's ServiceAccount token mounted where the kubelet
 * mounts it, see {@link ImageContainer}), and the repository's example instance reaches Ready through it. The image's
 * static facts are checked first: its tag is the chart's default image, its JVM options are the chart's, it runs as
 * 65532 with no shell, nothing setuid, and its SBOM names every jar it holds.
 */
class OperatorImageIT {

    @RegisterExtension
    static final ControlPlane cluster = ControlPlane.perClass();

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String POD_NAME = "jno-jupyter-notebook-operator-6c4b9-image";
    private static final String INSTANCE = "jupyter-ada-lovelace-example-org---7799473f";
    private static final Path ARCHIVE = Path.of(System.getProperty("jno.image.archive", "missing"));
    private static final Path WORK = Path.of("target", "image-it");

    private static OciImage image;
    private static HelmRelease release;
    private static ImageContainer container;
    private static String ns;
    private static int port;

    @BeforeAll
    static void unpack() throws Exception {
        boolean required = Boolean.getBoolean("jno.image.required");
        assumeTrue(
                required || Files.isRegularFile(ARCHIVE),
                "no image archive (" + ARCHIVE + "): build it with mvn -Pimage package (bin/test does)");
        assertThat(ARCHIVE).as("the image profile builds the archive").isRegularFile();
        image = OciImage.unpack(ARCHIVE, WORK);
    }

    @AfterAll
    static void stop() throws Exception {
        if (container != null) {
            container.close();
        }
        if (ns != null) {
            cluster.admin().persistentVolumes().withLabel("jno-it", ns).delete();
        }
        if (release != null) {
            release.close();
        }
        OciImage.deleteTree(WORK);
    }

    @Test
    void theImageIsTheChartsDefaultAndMinimal() throws Exception {
        Path values = cluster.repoRoot().resolve("charts/jupyter-notebook-operator/values.yaml");
        Path chart = cluster.repoRoot().resolve("charts/jupyter-notebook-operator/Chart.yaml");
        String repository = match("(?m)^  repository: (\\S+)$", Files.readString(values));
        String appVersion = match("(?m)^appVersion: \"([^\"]+)\"$", Files.readString(chart));
        assertThat(image.reference()).isEqualTo(repository + ":" + appVersion);
        assertThat(image.env())
                .containsEntry(
                        "JAVA_TOOL_OPTIONS", match("(?m)^  javaToolOptions: \"([^\"]+)\"$", Files.readString(values)));
        assertThat(image.user()).isEqualTo("65532:65532");
        assertThat(image.rootfs().resolve(image.entrypoint().get(0).substring(1)))
                .isExecutable();

        Path root = image.rootfs();
        try (Stream<Path> files = Files.walk(root)) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            assertThat(names).as("no shell").doesNotContain("sh", "bash", "dash", "busybox", "ash");
        }
        assertThat(run("find", root.toString(), "-perm", "/6000"))
                .as("nothing setuid or setgid")
                .isBlank();

        // The SBOM inside the image names every jar the operator runs with, and what the root file system holds.
        JsonNode sbom = new ObjectMapper()
                .readTree(root.resolve("opt/jupyter-notebook-operator/sbom.cdx.json")
                        .toFile());
        List<String> components = sbom.path("components").findValues("name").stream()
                .map(JsonNode::asText)
                .toList();
        assertThat(components).contains("libc6", "zlib1g", "libstdc++6");
        try (Stream<Path> jars = Files.list(root.resolve("app/libs"))) {
            assertThat(jars.map(j -> j.getFileName().toString()))
                    .isNotEmpty()
                    .allSatisfy(jar -> assertThat(components)
                            .as(jar)
                            .anySatisfy(name -> assertThat(jar).startsWith(name + "-")));
        }
    }

    @Test
    void theImageRunsAnInstanceToReadyWithTheChartsSettings() throws Exception {
        cluster.applyCrds();
        ns = cluster.namespace();
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        release = HelmRelease.install(cluster, "jno", ns, "operator.httpPort=" + port);
        KubernetesClient admin = cluster.admin();
        Path serviceAccount = serviceAccountFiles(admin, release.fullname());

        Map<String, String> env = new HashMap<>(image.env());
        Map<String, String> chart = ChartDeployment.environment(admin, release, ns, POD_NAME);
        assertThat(chart).containsEntry("JNO_HTTP_PORT", String.valueOf(port));
        env.putAll(chart);
        Config config = admin.getConfiguration();
        URI server = URI.create(config.getMasterUrl());
        env.put("KUBERNETES_SERVICE_HOST", server.getHost());
        env.put("KUBERNETES_SERVICE_PORT", String.valueOf(server.getPort()));
        env.put("HOSTNAME", POD_NAME);
        container = ImageContainer.start(image, serviceAccount, env, Path.of("target", "operator-image.log"));

        await("/readyz of the image's operator")
                .atMost(WAIT)
                .pollInterval(Duration.ofMillis(500))
                .failFast("the image's process exited", () -> !container.alive())
                .until(() -> get("/readyz").startsWith("200"));
        ProcessHandle jvm = container.mainProcess().orElseThrow();
        String status = Files.readString(Path.of("/proc", String.valueOf(jvm.pid()), "status"));
        assertThat(status).as("runs as the image's user").containsPattern("(?m)^Uid:\\s+65532\\s");
        String mounts = Files.readString(Path.of("/proc", String.valueOf(jvm.pid()), "mountinfo"));
        assertThat(mounts.lines().filter(l -> l.split(" ")[4].equals("/")))
                .as("its root file system is read-only")
                .singleElement()
                .satisfies(l -> assertThat(l.split(" ")[5]).startsWith("ro"));

        Fixtures.volumeFor(admin, ns, "claim-ada-lovelace-example-org---7799473f");
        for (String file : List.of("instance-secret.yaml", "instance.yaml")) {
            for (HasMetadata item :
                    cluster.cluster().load(cluster.repoRoot().resolve(Path.of("crds", "examples", file)))) {
                item.getMetadata().setNamespace(ns);
                cluster.clientFor(ns, "hub").resource(item).create();
            }
        }
        await("instance Ready through the image")
                .atMost(WAIT)
                .failFast("the image's process exited", () -> !container.alive())
                .until(() -> {
                    JupyterNotebookInstance i = admin.resources(JupyterNotebookInstance.class)
                            .inNamespace(ns)
                            .withName(INSTANCE)
                            .get();
                    return i.getStatus() != null && i.getStatus().getPhase() == Phase.READY;
                });
        assertThat(admin.pods().inNamespace(ns).withName(INSTANCE).get()).isNotNull();
        // Events follow the status write asynchronously (the recorder's write delay): wait for the PodReady one.
        await("the PodReady Event, from the image's process").atMost(WAIT).untilAsserted(() -> {
            List<Event> events =
                    admin.events().v1().events().inNamespace(ns).list().getItems();
            assertThat(events)
                    .filteredOn(e -> "PodReady".equals(e.getReason()))
                    .isNotEmpty()
                    .allSatisfy(e -> assertThat(e.getReportingInstance()).isEqualTo(POD_NAME));
        });
        assertThat(get("/metrics")).startsWith("200").contains("jno_instance_ready_seconds");
    }

    /** The files the kubelet mounts for the pod's ServiceAccount: a TokenRequest token, the CA, the namespace. */
    private static Path serviceAccountFiles(KubernetesClient admin, String serviceAccount) throws Exception {
        Path dir = WORK.resolve("serviceaccount");
        Files.createDirectories(dir);
        String token = admin.serviceAccounts()
                .inNamespace(ns)
                .withName(serviceAccount)
                .tokenRequest(new TokenRequestBuilder()
                        .withNewSpec()
                        .withExpirationSeconds(3600L)
                        .endSpec()
                        .build())
                .getStatus()
                .getToken();
        Config config = admin.getConfiguration();
        byte[] ca = config.getCaCertData() != null
                ? Base64.getDecoder().decode(config.getCaCertData())
                : Files.readAllBytes(Path.of(config.getCaCertFile()));
        Files.writeString(dir.resolve("token"), token);
        Files.write(dir.resolve("ca.crt"), ca);
        Files.writeString(dir.resolve("namespace"), ns);
        return dir;
    }

    private static String get(String path) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            return r.statusCode() + " " + r.body();
        } catch (Exception e) {
            return "unreachable " + e;
        }
    }

    private static String match(String regex, String text) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as(regex).isTrue();
        return m.group(1);
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }
}
