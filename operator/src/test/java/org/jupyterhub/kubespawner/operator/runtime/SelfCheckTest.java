package org.jupyterhub.kubespawner.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The self-check's flags and its readiness check; its RBAC checks run against a real release in charts/test. */
class SelfCheckTest {

    private static String run(int expectedStatus, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = SelfCheck.run(args, new PrintStream(out, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(status).as(text).isEqualTo(expectedStatus);
        return text;
    }

    @Test
    void badFlagsAreRefusedWithWhatIsAllowed() {
        assertThat(run(2, "--may=create pods")).contains("'create pods' is not VERB:RESOURCE@NAMESPACE");
        assertThat(run(2, "--frobnicate")).contains("unknown flag --frobnicate").contains("--may-not=");
        assertThat(run(2)).contains("nothing to check");
    }

    @Test
    void accessIsParsedWithItsGroup() {
        assertThat(SelfCheck.Access.parse("create:jupyternotebookinstances.kubespawner.jupyterhub.org@hub"))
                .isEqualTo(new SelfCheck.Access(
                        "create", "jupyternotebookinstances", "kubespawner.jupyterhub.org", "hub"));
        assertThat(SelfCheck.Access.parse("create:pods@hub"))
                .isEqualTo(new SelfCheck.Access("create", "pods", "", "hub"));
        assertThatThrownBy(() -> SelfCheck.Access.parse("create:pods@")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theOperatorMustAnswerReadyz() throws Exception {
        AtomicInteger answer = new AtomicInteger(503);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/readyz", exchange -> {
            exchange.sendResponseHeaders(answer.get(), -1);
            exchange.close();
        });
        server.start();
        try {
            String url =
                    "--operator-url=http://127.0.0.1:" + server.getAddress().getPort() + "/";
            assertThat(run(1, url, "--timeout=1"))
                    .contains("FAIL  the operator is not ready")
                    .contains("HTTP 503")
                    .contains("self-check FAILED");
            answer.set(200);
            assertThat(run(0, url)).contains("ok    the operator is ready").contains("self-check passed");
        } finally {
            server.stop(0);
        }
    }
}
