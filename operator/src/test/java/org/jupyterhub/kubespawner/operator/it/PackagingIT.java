package org.jupyterhub.kubespawner.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What can be checked of the image without a container engine: the fat jar runs its main class with every service
 * file merged, and the Dockerfile copies exactly that jar and runs it as a non-root user.
 */
class PackagingIT {

    @Test
    void fatJarNamesItsMainClassAndCarriesTheHttpClientService() throws Exception {
        try (JarFile jar = new JarFile(OperatorProcess.JAR.toFile())) {
            assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo("org.jupyterhub.kubespawner.operator.runtime.Main");
            assertThat(jar.getEntry("org/jupyterhub/kubespawner/operator/runtime/Main.class"))
                    .isNotNull();
            String factories = new String(jar.getInputStream(
                            jar.getEntry("META-INF/services/io.fabric8.kubernetes.client.http.HttpClient$Factory"))
                    .readAllBytes());
            assertThat(factories)
                    .contains("io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory")
                    .doesNotContain("vertx");
            assertThat(jar.stream().map(e -> e.getName()))
                    .noneMatch(n -> n.startsWith("io/vertx/"))
                    .anyMatch(n -> n.startsWith("org/jupyterhub/kubespawner/templating/"))
                    .anyMatch(n -> n.startsWith("org/jupyterhub/kubespawner/events/"))
                    .anyMatch(n -> n.startsWith("org/jupyterhub/kubespawner/v1/"));
        }
    }

    @Test
    void helpRunsFromTheJar() throws Exception {
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-jar",
                        OperatorProcess.JAR.toString(),
                        "--help")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).isZero();
        assertThat(out).contains("--watch-namespaces").contains("JNO_PROGRESS_TIMEOUT");
    }

    @Test
    void dockerfileCopiesTheBuiltJarAndRunsItAsNonRoot() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("Dockerfile"));
        Matcher copy = Pattern.compile("COPY (\\S+) (\\S+)").matcher(String.join("\n", lines));
        assertThat(copy.find()).isTrue();
        assertThat(Path.of(copy.group(1))).isEqualTo(OperatorProcess.JAR);
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("ENTRYPOINT").contains(copy.group(2)));
        assertThat(lines).anySatisfy(l -> assertThat(l).matches("USER [1-9][0-9]*:[1-9][0-9]*"));
        assertThat(lines)
                .anySatisfy(l -> assertThat(l).startsWith("ARG BASE_IMAGE=").contains("jre"));
    }

    @Test
    void theShippedJvmOptionsAreTheChartsAndStartThisJvm() throws Exception {
        Matcher docker =
                Pattern.compile("ENV JAVA_TOOL_OPTIONS=\"([^\"]+)\"").matcher(Files.readString(Path.of("Dockerfile")));
        Matcher chart = Pattern.compile("(?m)^  javaToolOptions: \"([^\"]+)\"")
                .matcher(Files.readString(
                        Path.of(System.getProperty("jno.repo.root"), "charts/jupyter-notebook-operator/values.yaml")));
        assertThat(docker.find()).isTrue();
        assertThat(chart.find()).isTrue();
        assertThat(docker.group(1)).isEqualTo(chart.group(1)).contains("-XX:+UseSerialGC");

        // An option this JVM does not know would stop the operator before its first log line.
        ProcessBuilder run = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-XX:MaxRAM=384m",
                        "-XX:+PrintFlagsFinal",
                        "-jar",
                        OperatorProcess.JAR.toString(),
                        "--help")
                .redirectErrorStream(true);
        run.environment().put("JAVA_TOOL_OPTIONS", docker.group(1));
        Process p = run.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out)
                .contains("--watch-namespaces")
                .doesNotContain("Unrecognized VM option")
                .containsPattern("UseSerialGC +=\\s*true")
                .containsPattern("MaxHeapSize += 20132659[0-9] ");
    }
}
