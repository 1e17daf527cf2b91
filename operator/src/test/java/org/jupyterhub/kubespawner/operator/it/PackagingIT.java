package org.jupyterhub.kubespawner.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The runnable fat jar ({@code java -jar}): its main class, every service file merged, and the JVM options the image
 * and the chart share. The image itself is tested by {@code OperatorImageIT}.
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
    void theShippedJvmOptionsAreTheChartsAndStartThisJvm() throws Exception {
        // operator/pom.xml's jno.javaToolOptions, which the image's JAVA_TOOL_OPTIONS is made of (OperatorImageIT
        // checks the built image's too)
        String image = System.getProperty("jno.javaToolOptions");
        Matcher chart = Pattern.compile("(?m)^  javaToolOptions: \"([^\"]+)\"")
                .matcher(Files.readString(
                        Path.of(System.getProperty("jno.repo.root"), "charts/jupyter-notebook-operator/values.yaml")));
        assertThat(chart.find()).isTrue();
        assertThat(image).isEqualTo(chart.group(1)).contains("-XX:+UseSerialGC");

        // An option this JVM does not know would stop the operator before its first log line.
        ProcessBuilder run = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-XX:MaxRAM=384m",
                        "-XX:+PrintFlagsFinal",
                        "-jar",
                        OperatorProcess.JAR.toString(),
                        "--help")
                .redirectErrorStream(true);
        run.environment().put("JAVA_TOOL_OPTIONS", image);
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
