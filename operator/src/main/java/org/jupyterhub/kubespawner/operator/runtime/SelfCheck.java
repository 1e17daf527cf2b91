package org.jupyterhub.kubespawner.operator.runtime;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code java -jar jupyter-notebook-operator.jar self-check [flags]}: checks an installed release from inside the
 * cluster, with the identity of the pod it runs in; the chart's {@code helm test} hook runs it as the hub. Prints
 * one line per check ({@code ok} or {@code FAIL} and why) and exits 0 when all passed, 1 otherwise, 2 on bad flags.
 *
 * <pre>
 *   --operator-url=URL            URL/readyz answers 200 (retried until --timeout)
 *   --may=VERB:RESOURCE@NS        this identity may do that (SelfSubjectAccessReview)
 *   --may-not=VERB:RESOURCE@NS    it may not; for create:pods also a server-side dry run of a pod, refused with 403
 *   --timeout=SECONDS             how long the operator may take to be ready (default 60)
 * </pre>
 *
 * RESOURCE is {@code plural[.group]}, e.g. {@code pods} or {@code jupyternotebookinstances.kubespawner.jupyterhub.org}.
 */
public final class SelfCheck {

    /** The subcommand's name. */
    public static final String COMMAND = "self-check";

    private final PrintStream out;
    private final List<String> failures = new ArrayList<>();

    private SelfCheck(PrintStream out) {
        this.out = out;
    }

    /** One permission to check. */
    record Access(String verb, String resource, String group, String namespace) {

        static Access parse(String value) {
            int colon = value.indexOf(':');
            int at = value.lastIndexOf('@');
            if (colon <= 0 || at <= colon + 1 || at == value.length() - 1) {
                throw new IllegalArgumentException(
                        "'" + value + "' is not VERB:RESOURCE@NAMESPACE (e.g. create:pods@jupyterhub)");
            }
            String type = value.substring(colon + 1, at);
            int dot = type.indexOf('.');
            return new Access(
                    value.substring(0, colon),
                    dot < 0 ? type : type.substring(0, dot),
                    dot < 0 ? "" : type.substring(dot + 1),
                    value.substring(at + 1));
        }

        @Override
        public String toString() {
            return verb + " " + resource + (group.isEmpty() ? "" : "." + group) + " in " + namespace;
        }
    }

    /**
     * Runs the checks.
     *
     * @param args the flags after {@code self-check}
     * @param out where the report goes
     * @return the exit status
     */
    public static int run(String[] args, PrintStream out) {
        String url = null;
        List<Access> may = new ArrayList<>();
        List<Access> mayNot = new ArrayList<>();
        Duration timeout = Duration.ofSeconds(60);
        try {
            for (String arg : args) {
                String value = arg.contains("=") ? arg.substring(arg.indexOf('=') + 1) : "";
                if (arg.startsWith("--operator-url=")) {
                    url = value.replaceAll("/+$", "");
                } else if (arg.startsWith("--may=")) {
                    may.add(Access.parse(value));
                } else if (arg.startsWith("--may-not=")) {
                    mayNot.add(Access.parse(value));
                } else if (arg.startsWith("--timeout=")) {
                    timeout = Duration.ofSeconds(Long.parseLong(value));
                } else {
                    throw new IllegalArgumentException("unknown flag " + arg
                            + " (allowed: --operator-url=URL, --may=VERB:RESOURCE@NS, --may-not=VERB:RESOURCE@NS,"
                            + " --timeout=SECONDS)");
                }
            }
            if (url == null && may.isEmpty() && mayNot.isEmpty()) {
                throw new IllegalArgumentException("nothing to check: give --operator-url, --may or --may-not");
            }
        } catch (IllegalArgumentException e) {
            out.println("self-check: " + e.getMessage());
            return 2;
        }
        SelfCheck check = new SelfCheck(out);
        if (url != null) {
            check.operatorReady(url, timeout);
        }
        if (!may.isEmpty() || !mayNot.isEmpty()) {
            try (KubernetesClient client = new KubernetesClientBuilder()
                    .withConfig(Config.autoConfigure(null))
                    .build()) {
                String me = "this identity";
                may.forEach(a -> check.may(client, me, a));
                mayNot.forEach(a -> check.mayNot(client, me, a));
            } catch (KubernetesClientException e) {
                check.fail("cannot talk to the API server: " + e.getMessage());
            }
        }
        out.println(
                check.failures.isEmpty()
                        ? "self-check passed"
                        : "self-check FAILED: " + check.failures.size() + " check(s) failed");
        return check.failures.isEmpty() ? 0 : 1;
    }

    private void operatorReady(String url, Duration timeout) {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        String last;
        while (true) {
            try {
                HttpResponse<String> response = http.send(
                        HttpRequest.newBuilder(URI.create(url + "/readyz"))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    ok("the operator is ready: " + url + "/readyz answered 200");
                    return;
                }
                last = "HTTP " + response.statusCode();
            } catch (java.io.IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                last = "interrupted";
            }
            if (System.nanoTime() > deadline || Thread.currentThread().isInterrupted()) {
                fail("the operator is not ready: " + url + "/readyz gave " + last + " for " + timeout.toSeconds()
                        + " s");
                return;
            }
            sleep(1000);
        }
    }

    private boolean allowed(KubernetesClient client, Access access) {
        SelfSubjectAccessReview review = client.authorization()
                .v1()
                .selfSubjectAccessReview()
                .create(new SelfSubjectAccessReviewBuilder()
                        .withNewSpec()
                        .withNewResourceAttributes()
                        .withVerb(access.verb())
                        .withResource(access.resource())
                        .withGroup(access.group())
                        .withNamespace(access.namespace())
                        .endResourceAttributes()
                        .endSpec()
                        .build());
        return Boolean.TRUE.equals(review.getStatus().getAllowed());
    }

    private void may(KubernetesClient client, String me, Access access) {
        if (allowed(client, access)) {
            ok(me + " may " + access);
        } else {
            fail(me + " may not " + access + ", but should");
        }
    }

    private void mayNot(KubernetesClient client, String me, Access access) {
        if (allowed(client, access)) {
            fail(me + " may " + access + " (RBAC allows it), but must not");
            return;
        }
        if (!("create".equals(access.verb())
                && "pods".equals(access.resource())
                && access.group().isEmpty())) {
            ok(me + " may not " + access);
            return;
        }
        // Asked for real, with nothing kept: the API server's answer, not only RBAC's opinion.
        Pod pod = new PodBuilder()
                .withNewMetadata()
                .withGenerateName("self-check-")
                .withNamespace(access.namespace())
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("c")
                .withImage("registry.invalid/self-check")
                .endContainer()
                .endSpec()
                .build();
        try {
            client.pods().inNamespace(access.namespace()).resource(pod).dryRun().create();
            fail(me + " could create a pod in " + access.namespace() + " (server-side dry run accepted it)");
        } catch (KubernetesClientException e) {
            if (e.getCode() == 403) {
                ok(me + " may not " + access + ": a server-side dry run of a pod was refused (403 Forbidden)");
            } else {
                fail("creating a pod (dry run) in " + access.namespace() + " failed with " + e.getCode() + ", not 403: "
                        + e.getMessage());
            }
        }
    }

    private void ok(String message) {
        out.println("ok    " + message);
    }

    private void fail(String message) {
        failures.add(message);
        out.println("FAIL  " + message);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
