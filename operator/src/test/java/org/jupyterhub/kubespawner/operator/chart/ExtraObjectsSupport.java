package org.jupyterhub.kubespawner.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@link ExtraObjectsIT} needs besides the operator: Gateway API's HTTPRoute CRD (from its Go module), a test
 * Widget CRD, and access reviews as the operator's ServiceAccount.
 */
final class ExtraObjectsSupport {

    /** The module the Gateway API CRDs come from (the Go module proxy). */
    static final String GATEWAY_API = "sigs.k8s.io/gateway-api@v1.4.1";

    private static final Duration WAIT = Duration.ofSeconds(90);

    private ExtraObjectsSupport() {}

    /** The HTTPRoute CRD of the Gateway API's standard channel, from the Go module proxy ({@code go mod download}). */
    static void installGatewayApi(KubernetesClient admin) throws Exception {
        Process go = new ProcessBuilder("go", "mod", "download", "-json", GATEWAY_API)
                .redirectErrorStream(true)
                .start();
        String out = new String(go.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(go.waitFor()).as("go mod download %s: %s", GATEWAY_API, out).isZero();
        Matcher dir = Pattern.compile("\"Dir\": \"([^\"]+)\"").matcher(out);
        assertThat(dir.find()).as(out).isTrue();
        Path crd = Path.of(dir.group(1), "config", "crd", "standard", "gateway.networking.k8s.io_httproutes.yaml");
        apply(admin, Files.readString(crd));
    }

    static void installWidget(KubernetesClient admin) {
        apply(admin, """
                apiVersion: apiextensions.k8s.io/v1
                kind: CustomResourceDefinition
                metadata: {name: widgets.it.jno.example.org}
                spec:
                  group: it.jno.example.org
                  scope: Namespaced
                  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
                  versions:
                  - name: v1
                    served: true
                    storage: true
                    subresources: {status: {}}
                    schema:
                      openAPIV3Schema:
                        type: object
                        properties:
                          spec:
                            type: object
                            required: [size]
                            properties:
                              size: {type: integer, minimum: 1}
                              template: {type: object, x-kubernetes-preserve-unknown-fields: true}
                          status: {type: object, x-kubernetes-preserve-unknown-fields: true}
                """);
    }

    private static void apply(KubernetesClient admin, String yaml) {
        for (HasMetadata item : admin.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)))
                .items()) {
            admin.resource(item).forceConflicts().serverSideApply();
        }
        await("CRDs established")
                .atMost(WAIT)
                .until(() -> admin.apiextensions().v1().customResourceDefinitions().list().getItems().stream()
                        .filter(c -> c.getMetadata().getName().endsWith("it.jno.example.org")
                                || c.getMetadata().getName().startsWith("httproutes."))
                        .allMatch(c -> c.getStatus() != null
                                && c.getStatus().getConditions() != null // a CRD just created has none yet
                                && c.getStatus().getConditions().stream()
                                        .anyMatch(x -> x.getType().equals("Established")
                                                && x.getStatus().equals("True"))));
    }

    /** Whether the client's identity may do this in the namespace (a SelfSubjectAccessReview). */
    static boolean can(KubernetesClient client, String ns, String verb, String group, String resource, String name) {
        SelfSubjectAccessReview review = new SelfSubjectAccessReviewBuilder()
                .withNewSpec()
                .withNewResourceAttributes()
                .withNamespace(ns)
                .withVerb(verb)
                .withGroup(group)
                .withResource(resource)
                .withName(name)
                .endResourceAttributes()
                .endSpec()
                .build();
        return client.authorization()
                .v1()
                .selfSubjectAccessReview()
                .create(review)
                .getStatus()
                .getAllowed();
    }
}
