package org.jupyterhub.kubespawner.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A ServiceAccount's client (TokenRequest token) is denied what RBAC does not grant and allowed what it does. */
class ServiceAccountRbacIT {

    @RegisterExtension
    static final ControlPlane cluster = ControlPlane.perClass();

    @Test
    void serviceAccountGetsExactlyWhatItsRoleGrants() {
        String ns = cluster.namespace();
        KubernetesClient reader = cluster.clientFor(ns, "reader");

        assertForbidden(() -> reader.configMaps().inNamespace(ns).list());

        cluster.grant(
                ns,
                "reader",
                "configmap-reader",
                new PolicyRuleBuilder()
                        .withApiGroups("")
                        .withResources("configmaps")
                        .withVerbs("get", "list")
                        .build());
        cluster.admin()
                .configMaps()
                .inNamespace(ns)
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("visible")
                        .endMetadata()
                        .build())
                .create();

        await().atMost(Duration.ofSeconds(30))
                .ignoreException(KubernetesClientException.class)
                .untilAsserted(() -> assertThat(
                                reader.configMaps().inNamespace(ns).list().getItems())
                        .extracting(cm -> cm.getMetadata().getName())
                        .contains("visible"));
        assertForbidden(() -> reader.configMaps()
                .inNamespace(ns)
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("written")
                        .endMetadata()
                        .build())
                .create());
        assertForbidden(() -> reader.secrets().inNamespace(ns).list());
        assertForbidden(() -> reader.configMaps().inNamespace("default").list());
    }

    @Test
    void impersonatedUserIsAuthorizedLikeThatUser() {
        String ns = cluster.namespace();
        KubernetesClient alice = cluster.clientAs("alice", "system:authenticated");

        assertForbidden("alice", () -> alice.configMaps().inNamespace(ns).list());

        cluster.admin()
                .rbac()
                .roleBindings()
                .inNamespace(ns)
                .resource(new RoleBindingBuilder()
                        .withNewMetadata()
                        .withName("alice-views")
                        .endMetadata()
                        .withNewRoleRef()
                        .withApiGroup("rbac.authorization.k8s.io")
                        .withKind("ClusterRole")
                        .withName("view")
                        .endRoleRef()
                        .addNewSubject()
                        .withApiGroup("rbac.authorization.k8s.io")
                        .withKind("User")
                        .withName("alice")
                        .endSubject()
                        .build())
                .create();

        await().atMost(Duration.ofSeconds(30))
                .ignoreException(KubernetesClientException.class)
                .untilAsserted(() -> assertThat(
                                alice.configMaps().inNamespace(ns).list().getItems())
                        .isNotNull());
        // The built-in view role deliberately excludes Secrets.
        assertForbidden("alice", () -> alice.secrets().inNamespace(ns).list());
    }

    private static void assertForbidden(Runnable call) {
        assertForbidden("system:serviceaccount:" + cluster.namespace() + ":reader", call);
    }

    private static void assertForbidden(String user, Runnable call) {
        KubernetesClientException denied = catchThrowableOfType(KubernetesClientException.class, call::run);
        assertThat(denied)
                .as("expected the API server to refuse with 403 Forbidden")
                .isNotNull();
        assertThat(denied.getCode()).isEqualTo(403);
        assertThat(denied.getMessage()).contains("User \"" + user + "\"");
    }
}
