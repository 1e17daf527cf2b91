package org.jupyterhub.kubespawner.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.jupyterhub.kubespawner.operator.it.Fixtures.awaitInstance;
import static org.jupyterhub.kubespawner.operator.it.Fixtures.eventsAbout;
import static org.jupyterhub.kubespawner.operator.it.Fixtures.phase;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.jupyterhub.kubespawner.e2e.ControlPlane;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus.Phase;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;

/**
 * Suspend and resume, the lifetime limits and the activity probe on the real control plane: kwok's pods have
 * loopback IPs, so the test itself answers (or does not answer) the probe on the pod's address, as a server would.
 */
class LifecycleIT {

    @RegisterExtension
    static final ControlPlane cluster = ControlPlane.perClass();

    private static final Duration LONG = Duration.ofSeconds(150);
    private static RunningOperator operator;
    private static KubernetesClient admin;
    private static String ns;
    private HttpServer server;

    @BeforeAll
    static void startOperator() {
        cluster.applyCrds();
        admin = cluster.admin();
        ns = cluster.namespace();
        operator = RunningOperator.start(cluster, Duration.ofMinutes(2), ns);
        admin.resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName("probe-token")
                        .withNamespace(ns)
                        .endMetadata()
                        .addToStringData("token", "the-admins-probe-token")
                        .build())
                .create();
    }

    @AfterEach
    void cleanUp() {
        if (server != null) {
            server.stop(0);
        }
        Fixtures.releaseInstances(admin, ns);
    }

    @AfterAll
    static void stopOperator() {
        if (operator != null) {
            operator.close();
        }
        Fixtures.deleteVolumes(admin, ns);
    }

    /** A template whose pod mounts a retained home claim, with a lifecycle policy. */
    static JupyterNotebookInstanceTemplate template(String name, String lifecycle, String extraSpec) {
        String yaml = """
        apiVersion: kubespawner.jupyterhub.org/v1
        kind: JupyterNotebookInstanceTemplate
        metadata: {name: %s, namespace: %s}
        spec:
          variables:
          - {name: user, required: true, pattern: '[a-z0-9]+'}
          persistentVolumeClaims:
          - name: home-{user}
            spec:
              accessModes: [ReadWriteOnce]
              resources: {requests: {storage: 1Gi}}
          pods:
          - name: nb-{user}
            notebookPort: 18888
            spec:
              containers:
              - name: notebook
                image: quay.io/jupyter/base-notebook:2025-03-14
                volumeMounts: [{name: home, mountPath: /home/jovyan}]
              volumes:
              - {name: home, persistentVolumeClaim: {claimName: 'home-{user}'}}
          policy:
            allowedImages: [quay.io/jupyter/*]
        %s
        %s
        """.formatted(
                        name,
                        ns,
                        lifecycle == null ? "" : ("lifecycle:\n" + lifecycle.indent(2)).indent(4),
                        extraSpec == null ? "" : extraSpec.indent(2));
        return Serialization.unmarshal(yaml, JupyterNotebookInstanceTemplate.class);
    }

    private static JupyterNotebookInstance spawn(String template, String user) {
        Fixtures.volumeFor(admin, ns, "home-" + user);
        return admin.resource(Fixtures.instance(ns, "jupyter-" + user, template, "user: " + user, null))
                .create();
    }

    private static void suspend(String name, boolean suspended) {
        admin.resources(JupyterNotebookInstance.class)
                .inNamespace(ns)
                .withName(name)
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"suspended\":" + suspended + "}}");
    }

    private static String condition(JupyterNotebookInstance i, String type) {
        return i.getStatus().getConditions().stream()
                .filter(c -> c.getType().equals(type))
                .map(c -> c.getStatus() + "/" + c.getReason())
                .findFirst()
                .orElse(null);
    }

    private static Event awaitEvent(String instance, String type, String reason) {
        return await("Event " + reason)
                .atMost(Fixtures.WAIT)
                .until(
                        () -> eventsAbout(admin, ns, instance).stream()
                                .filter(e -> type.equals(e.getType()) && reason.equals(e.getReason()))
                                .findFirst()
                                .orElse(null),
                        e -> e != null);
    }

    @Test
    void suspendDeletesThePodKeepsClaimAndInstanceAndResumeMountsTheSameClaim() {
        admin.resource(template("home", null, null)).create();
        spawn("home", "ada");
        JupyterNotebookInstance ready = awaitInstance(admin, ns, "jupyter-ada", phase(Phase.READY));
        PersistentVolumeClaim claim = admin.persistentVolumeClaims()
                .inNamespace(ns)
                .withName("home-ada")
                .get();
        String firstPod = admin.pods()
                .inNamespace(ns)
                .withName("nb-ada")
                .get()
                .getMetadata()
                .getUid();

        suspend("jupyter-ada", true);
        JupyterNotebookInstance suspended = awaitInstance(admin, ns, "jupyter-ada", phase(Phase.SUSPENDED));
        await("pod gone")
                .atMost(Fixtures.WAIT)
                .until(() -> admin.pods().inNamespace(ns).withName("nb-ada").get() == null);
        assertThat(suspended.getMetadata().getUid())
                .isEqualTo(ready.getMetadata().getUid());
        assertThat(condition(suspended, "Suspended")).isEqualTo("True/SuspendRequested");
        assertThat(suspended.getStatus().getSuspension().getRendering().getObjects())
                .extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
                .containsExactly("PersistentVolumeClaim/home-ada", "Pod/nb-ada");
        assertThat(admin.persistentVolumeClaims()
                        .inNamespace(ns)
                        .withName("home-ada")
                        .get()
                        .getMetadata()
                        .getUid())
                .as("the claim is kept")
                .isEqualTo(claim.getMetadata().getUid());
        assertThat(awaitEvent("jupyter-ada", "Normal", "SuspendRequested").getNote())
                .contains("pods deleted, claims kept");

        suspend("jupyter-ada", false);
        JupyterNotebookInstance resumed = awaitInstance(admin, ns, "jupyter-ada", phase(Phase.READY));
        Pod pod = admin.pods().inNamespace(ns).withName("nb-ada").get();
        assertThat(pod.getMetadata().getUid()).as("a new pod").isNotEqualTo(firstPod);
        assertThat(pod.getSpec().getVolumes())
                .anySatisfy(v ->
                        assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("home-ada"));
        assertThat(admin.persistentVolumeClaims()
                        .inNamespace(ns)
                        .withName("home-ada")
                        .get()
                        .getMetadata()
                        .getUid())
                .as("the same claim is mounted")
                .isEqualTo(claim.getMetadata().getUid());
        assertThat(condition(resumed, "Suspended")).isEqualTo("False/Resumed");
        assertThat(resumed.getStatus().getSuspension()).isNull();
        awaitEvent("jupyter-ada", "Normal", "Resumed");
    }

    @Test
    void theMaximumAgeStopsTheServerWhileTheHubDoesNothing() {
        admin.resource(template("aged", "maxAgeSeconds: 60", null)).create();
        spawn("aged", "grace");
        JupyterNotebookInstance ready = awaitInstance(admin, ns, "jupyter-grace", phase(Phase.READY));
        Instant podCreated = Instant.parse(admin.pods()
                .inNamespace(ns)
                .withName("nb-grace")
                .get()
                .getMetadata()
                .getCreationTimestamp());
        assertThat(ready.getStatus().getStopAt().toInstant()).isEqualTo(podCreated.plusSeconds(60));
        assertThat(ready.getStatus().getStopReason())
                .isEqualTo(JupyterNotebookInstanceStatus.StopReason.MAXAGEEXCEEDED);

        JupyterNotebookInstance stopped = awaitInstance(admin, ns, "jupyter-grace", phase(Phase.SUSPENDED), LONG);
        assertThat(stopped.getSpec().getSuspended())
                .as("the operator never writes spec")
                .isNull();
        assertThat(condition(stopped, "Suspended")).isEqualTo("True/MaxAgeExceeded");
        assertThat(awaitEvent("jupyter-grace", "Normal", "MaxAgeExceeded").getNote())
                .contains("since its pod was created", "maxAgeSeconds 60");
        await("pod gone")
                .atMost(Fixtures.WAIT)
                .until(() -> admin.pods().inNamespace(ns).withName("nb-grace").get() == null);

        // It stays suspended (spec.suspended is false) until the hub asks again: true, then false.
        suspend("jupyter-grace", true);
        suspend("jupyter-grace", false);
        awaitInstance(admin, ns, "jupyter-grace", phase(Phase.READY));
    }

    /** Answers the probe on the pod's own address with what {@code answer} holds (status code, body). */
    private AtomicReference<String[]> serveProbe(String podIP, String expectedToken) throws IOException {
        AtomicReference<String[]> answer = new AtomicReference<>(new String[] {"200", "{}"});
        server = HttpServer.create(new InetSocketAddress(podIP, 18888), 0);
        server.createContext("/", exchange -> {
            String[] a = answer.get();
            boolean authorized = ("token " + expectedToken)
                    .equals(exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] body = (authorized ? a[1] : "{\"message\": \"Forbidden\"}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(authorized ? Integer.parseInt(a[0]) : 403, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return answer;
    }

    private static JupyterNotebookInstance awaitProbe(String instance, String reason) {
        return awaitInstance(
                admin,
                ns,
                instance,
                s -> s.getConditions().stream()
                        .anyMatch(c -> c.getType().equals("ActivityKnown") && reason.equals(c.getReason())),
                Duration.ofSeconds(60));
    }

    @Test
    void probeFailuresAreConditionsNeverACrashLoopNorACullAndAnIdleServerIsStopped() throws IOException {
        admin.resource(template("probed", """
                        idleLimitSeconds: 60
                        activityProbe:
                          intervalSeconds: 10
                          timeoutSeconds: 2
                          tokenSecretRef: {name: probe-token}
                        """, null)).create();
        JupyterNotebookInstance created = spawn("probed", "linus");
        JupyterNotebookInstance ready = awaitInstance(admin, ns, "jupyter-linus", phase(Phase.READY));
        String podIP = ready.getStatus().getPodIP();

        // nothing listens on the pod's address yet
        JupyterNotebookInstance unreachable = awaitProbe("jupyter-linus", "ProbeUnreachable");
        assertThat(unreachable.getStatus().getPhase()).isEqualTo(Phase.READY);
        awaitEvent("jupyter-linus", "Warning", "ProbeUnreachable");

        // a server that wants another token
        AtomicReference<String[]> answer = serveProbe(podIP, "another-token");
        awaitProbe("jupyter-linus", "ProbeUnauthorized");
        server.stop(0);

        // the right token, a malformed answer, for longer than the idle limit: no cull on bad data
        answer = serveProbe(podIP, "the-admins-probe-token");
        answer.set(new String[] {"200", "{\"last_activity\": \"not a time\"}"});
        awaitProbe("jupyter-linus", "ProbeMalformed");
        String writes = statusWrites();
        await().pollDelay(Duration.ofSeconds(75)).atMost(Duration.ofSeconds(80)).until(() -> true);
        JupyterNotebookInstance stillRunning = admin.resources(JupyterNotebookInstance.class)
                .inNamespace(ns)
                .withName("jupyter-linus")
                .get();
        assertThat(stillRunning.getStatus().getPhase()).isEqualTo(Phase.READY);
        assertThat(stillRunning.getMetadata().getUid())
                .isEqualTo(created.getMetadata().getUid());
        assertThat(statusWrites()).as("a failing probe writes nothing more").isEqualTo(writes);
        assertThat(admin.pods().inNamespace(ns).withName("nb-linus").get()).isNotNull();

        // a well-formed answer whose last activity is older than the idle limit: stopped, with the figures
        answer.set(new String[] {
            "200",
            "{\"last_activity\": \"" + Instant.now().minusSeconds(600) + "\", \"connections\": 0, \"kernels\": 0}"
        });
        JupyterNotebookInstance culled = awaitInstance(admin, ns, "jupyter-linus", phase(Phase.SUSPENDED), LONG);
        assertThat(condition(culled, "Suspended")).isEqualTo("True/IdleLimitExceeded");
        assertThat(awaitEvent("jupyter-linus", "Normal", "IdleLimitExceeded").getNote())
                .contains("no activity for", "idleLimitSeconds 60");
        assertThat(culled.getStatus().getConditions())
                .extracting(Condition::getType)
                .as("a suspended server is not probed")
                .doesNotContain("ActivityKnown");
    }

    /** The operator's status writes so far (its request metrics), as Prometheus text. */
    private static String statusWrites() {
        return operator.registry
                .scrape()
                .lines()
                .filter(l -> l.startsWith("jno_api_requests_seconds_count")
                        && l.contains("verb=\"patch\"")
                        && l.contains("resource=\"jupyternotebookinstances/status\""))
                .reduce("", String::concat);
    }

    @Test
    void aDeprecatedTemplateWarnsNewSpawnsOrRefusesThem() {
        admin.resource(template("old", null, "deprecation: {message: 'retired in March', replacement: home}"))
                .create();
        spawn("old", "alan");
        JupyterNotebookInstance warned = awaitInstance(admin, ns, "jupyter-alan", phase(Phase.READY));
        assertThat(condition(warned, "Deprecated")).isEqualTo("True/TemplateDeprecated");
        assertThat(awaitEvent("jupyter-alan", "Warning", "TemplateDeprecated").getNote())
                .contains("retired in March", "use template home");

        admin.resource(template(
                        "gone", null, "deprecation: {message: 'retired in March', replacement: home, action: Refuse}"))
                .create();
        spawn("gone", "barbara");
        JupyterNotebookInstance refused = awaitInstance(admin, ns, "jupyter-barbara", phase(Phase.FAILED));
        assertThat(condition(refused, "Ready")).isEqualTo("False/TemplateDeprecated");
        assertThat(refused.getStatus().getMessage()).contains("new servers may not use it");
        awaitEvent("jupyter-barbara", "Warning", "TemplateDeprecated");
        assertThat(admin.pods().inNamespace(ns).withName("nb-barbara").get()).isNull();
        assertThat(admin.persistentVolumeClaims()
                        .inNamespace(ns)
                        .withName("home-barbara")
                        .get())
                .isNull();
    }
}
