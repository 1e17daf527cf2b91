package org.jupyterhub.kubespawner.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.jupyterhub.kubespawner.e2e.ControlPlane;
import org.jupyterhub.kubespawner.e2e.HelmRelease;
import org.jupyterhub.kubespawner.operator.it.Fixtures;
import org.jupyterhub.kubespawner.operator.runtime.NotebookOperator;
import org.jupyterhub.kubespawner.operator.runtime.OperatorConfig;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus.Phase;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;

/**
 * spec.serverUrlFrom on the real control plane, the operator holding nothing but the chart's RBAC (Ingress on its
 * allowlist): a server behind a LoadBalancer Service waits, Ready=False AddressPending, until the load balancer has an
 * address (the local control plane has no cloud: the test plays the cloud's controller and writes the Service's
 * status.loadBalancer through the status subresource), then reports http://<address>:<port>; a server behind an
 * Ingress with TLS reports https://<host>/<path>; a declaration naming no rendered object makes the template invalid
 * and the spawn fails naming the field.
 */
class ServerUrlIT {

    @RegisterExtension
    static final ControlPlane cluster = ControlPlane.perClass();

    private static final Duration WAIT = Duration.ofSeconds(90);

    private static HelmRelease release;
    private static NotebookOperator operator;
    private static String ns;

    @BeforeAll
    static void installWithIngressAllowedAndRunTheOperatorAsItsServiceAccount() throws Exception {
        cluster.applyCrds();
        ns = cluster.namespace();
        release = HelmRelease.install(
                cluster,
                "jno",
                ns,
                "operator.extraObjects.kinds[0].apiVersion=networking.k8s.io/v1",
                "operator.extraObjects.kinds[0].kind=Ingress",
                "hub.instanceQuota=0");
        OperatorConfig config = ReleaseOperator.chartConfig(cluster, release, ns);
        assertThat(config.allowlist().describeKinds()).containsExactly("networking.k8s.io/v1 Ingress");
        operator = ReleaseOperator.start(cluster, release, ns, config);
    }

    @AfterAll
    static void stop() {
        if (operator != null) {
            operator.close();
        }
        if (release != null) {
            release.close();
        }
    }

    @Test
    void aLoadBalancerServiceKeepsTheServerWaitingUntilItHasAnAddressThenIsItsUrl() {
        KubernetesClient admin = cluster.admin();
        admin.resource(Fixtures.template(ns, "behind-lb", """
                        services:
                        - name: 'nb-{user}'
                          spec: {ports: [{port: 8888, targetPort: 8888}]}
                        - name: 'lb-{user}'
                          spec:
                            type: LoadBalancer
                            ports: [{name: ssh, port: 22, targetPort: 2222}, {name: http, port: 80, targetPort: 8888}]
                        serverUrlFrom: {kind: Service, name: 'lb-{user}'}
                        """)).create();
        awaitValid("behind-lb", true);
        admin.resource(Fixtures.instance(ns, "ada", "behind-lb", "user: ada", null))
                .create();

        JupyterNotebookInstance waiting =
                Fixtures.awaitInstance(admin, ns, "ada", s -> "AddressPending".equals(readyReason(s)), WAIT);
        assertThat(waiting.getStatus().getPhase()).isEqualTo(Phase.PROVISIONING);
        assertThat(waiting.getStatus().getUrl()).isNull();
        assertThat(waiting.getStatus().getMessage())
                .contains("load balancer's address", "Service lb-ada", "status.loadBalancer.ingress");
        assertThat(waiting.getStatus().getResources())
                .extracting(r -> r.getKind() + "/" + r.getName() + "=" + r.getState())
                .as("the pod itself is ready")
                .contains("Pod/nb-ada=Ready", "Service/lb-ada=Created");

        // The cloud's controller: the load balancer's address, through the status subresource.
        Service lb = admin.services().inNamespace(ns).withName("lb-ada").get();
        lb.setStatus(new ServiceStatusBuilder()
                .withNewLoadBalancer()
                .addNewIngress()
                .withIp("203.0.113.7")
                .endIngress()
                .endLoadBalancer()
                .build());
        admin.resource(lb).updateStatus();

        JupyterNotebookInstance ready =
                Fixtures.awaitInstance(admin, ns, "ada", s -> s.getPhase() == Phase.READY, WAIT);
        assertThat(ready.getStatus().getUrl()).isEqualTo("http://203.0.113.7:80");
        assertThat(ready.getStatus().getPodIP()).isNotBlank().isNotEqualTo("203.0.113.7");
        assertThat(readyReason(ready.getStatus())).isEqualTo("PodReady");
    }

    @Test
    void anIngressWithTlsGivesHttpsHostAndPath() {
        KubernetesClient admin = cluster.admin();
        admin.resource(Fixtures.template(ns, "behind-ingress", """
                        services:
                        - name: 'nb-{user}'
                          spec: {ports: [{port: 8888, targetPort: 8888}]}
                        extraObjects:
                        - apiVersion: networking.k8s.io/v1
                          kind: Ingress
                          name: 'ing-{user}'
                          spec:
                            tls: [{hosts: ['{user}.b.hub.example.org'], secretName: wildcard-b}]
                            rules:
                            - host: '{user}.b.hub.example.org'
                              http:
                                paths:
                                - {path: '/user/{user}/', pathType: Prefix, backend: {service: {name: 'nb-{user}', port: {number: 8888}}}}
                        serverUrlFrom: {kind: Ingress, name: 'ing-{user}'}
                        """)).create();
        awaitValid("behind-ingress", true);
        admin.resource(Fixtures.instance(ns, "bob", "behind-ingress", "user: bob", null))
                .create();

        JupyterNotebookInstance ready =
                Fixtures.awaitInstance(admin, ns, "bob", s -> s.getPhase() == Phase.READY, WAIT);
        assertThat(ready.getStatus().getUrl()).isEqualTo("https://bob.b.hub.example.org/user/bob/");
        assertThat(ready.getStatus().getResources())
                .extracting(r -> r.getKind() + "/" + r.getName() + "=" + r.getState())
                .contains("Ingress/ing-bob=Created", "Pod/nb-bob=Ready");
    }

    @Test
    void aDeclarationNamingNoRenderedObjectMakesTheTemplateInvalidAndTheSpawnFail() {
        KubernetesClient admin = cluster.admin();
        admin.resource(Fixtures.template(ns, "no-such-lb", """
                        services:
                        - name: 'nb-{user}'
                          spec: {ports: [{port: 8888, targetPort: 8888}]}
                        serverUrlFrom: {kind: Service, name: 'lb-{user}'}
                        """)).create();
        assertThat(awaitValid("no-such-lb", false))
                .contains("serverUrlFrom.name", "'lb-{user}'", "services", "[nb-{user}]");
        admin.resource(Fixtures.instance(ns, "carol", "no-such-lb", "user: carol", null))
                .create();
        JupyterNotebookInstance failed =
                Fixtures.awaitInstance(admin, ns, "carol", s -> s.getPhase() == Phase.FAILED, WAIT);
        assertThat(readyReason(failed.getStatus())).isEqualTo("TemplateInvalid");
        assertThat(failed.getStatus().getMessage()).contains("serverUrlFrom.name");
        assertThat(admin.pods().inNamespace(ns).withName("nb-carol").get())
                .as("nothing created")
                .isNull();
    }

    private static String readyReason(JupyterNotebookInstanceStatus status) {
        return status.getConditions() == null
                ? null
                : status.getConditions().stream()
                        .filter(c -> c.getType().equals("Ready"))
                        .map(Condition::getReason)
                        .findFirst()
                        .orElse(null);
    }

    /** Waits for the template's Valid condition; returns its message. */
    private static String awaitValid(String name, boolean valid) {
        String[] message = new String[1];
        await("template " + name + " Valid=" + valid).atMost(WAIT).until(() -> {
            JupyterNotebookInstanceTemplate t = cluster.admin()
                    .resources(JupyterNotebookInstanceTemplate.class)
                    .inNamespace(ns)
                    .withName(name)
                    .get();
            Condition condition = t == null || t.getStatus() == null
                    ? null
                    : t.getStatus().getConditions().stream()
                            .filter(c -> c.getType().equals("Valid"))
                            .findFirst()
                            .orElse(null);
            if (condition == null || !condition.getStatus().equals(valid ? "True" : "False")) {
                return false;
            }
            message[0] = condition.getMessage();
            return true;
        });
        return message[0];
    }
}
