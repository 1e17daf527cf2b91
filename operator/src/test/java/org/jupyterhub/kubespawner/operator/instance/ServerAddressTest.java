package org.jupyterhub.kubespawner.operator.instance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.jupyterhub.kubespawner.templating.ServerUrlTarget;

/** The address a LoadBalancer Service, an Ingress or an HTTPRoute gives a ready server ({@link ServerAddress#of}). */
class ServerAddressTest {

    private static final String UID = "uid-ada";
    private static final Set<String> SERVICES = Set.of("jupyter-ada", "lb-ada");
    private static final String OWNED = """
        metadata:
          name: x
          ownerReferences: [{apiVersion: kubespawner.jupyterhub.org/v1, kind: JupyterNotebookInstance, name: ada, uid: uid-ada, controller: true}]
        """;

    private static JsonNode yaml(String text) {
        try {
            return new ObjectMapper(new YAMLFactory()).readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static ServerAddress of(ServerUrlTarget target, String object) {
        return ServerAddress.of("users/remote", target, object == null ? null : yaml(object), "ada", UID, SERVICES);
    }

    private static ServerUrlTarget service(String scheme) {
        return new ServerUrlTarget("v1", "Service", "lb-ada", scheme, 80);
    }

    private static ServerUrlTarget ingress(String scheme) {
        return new ServerUrlTarget("networking.k8s.io/v1", "Ingress", "ing-ada", scheme, 0);
    }

    private static ServerUrlTarget route(String scheme) {
        return new ServerUrlTarget("gateway.networking.k8s.io/v1", "HTTPRoute", "route-ada", scheme, 0);
    }

    @Test
    void aLoadBalancerIsAwaitedUntilItHasAnAddressThenGivesItWithTheServicePort() {
        assertThat(of(service(null), OWNED))
                .isInstanceOfSatisfying(
                        ServerAddress.Awaited.class,
                        a -> assertThat(a.message())
                                .contains(
                                        "load balancer's address",
                                        "Service lb-ada",
                                        "users/remote",
                                        "status.loadBalancer"));
        assertThat(of(service(null), OWNED + "status: {loadBalancer: {ingress: [{ip: 203.0.113.7}]}}"))
                .isEqualTo(new ServerAddress.Reached("http://203.0.113.7:80"));
        assertThat(of(service("https"), OWNED + "status: {loadBalancer: {ingress: [{hostname: lb.example.org}]}}"))
                .isEqualTo(new ServerAddress.Reached("https://lb.example.org:80"));
        assertThat(of(service(null), OWNED + "status: {loadBalancer: {ingress: [{ip: '2001:db8::7'}]}}"))
                .isEqualTo(new ServerAddress.Reached("http://[2001:db8::7]:80"));
    }

    @Test
    void anIngressGivesHttpsWhenItsTlsCoversTheHost() {
        String spec = """
            spec:
              rules: [{host: ada.b.example.org, http: {paths: [{path: /user/ada/, backend: {service: {name: jupyter-ada}}}]}}]
            """;
        assertThat(of(ingress(null), OWNED + spec + "  tls: [{hosts: [ada.b.example.org], secretName: t}]"))
                .isEqualTo(new ServerAddress.Reached("https://ada.b.example.org/user/ada/"));
        assertThat(of(ingress(null), OWNED + spec))
                .isEqualTo(new ServerAddress.Reached("http://ada.b.example.org/user/ada/"));
        assertThat(of(ingress("https"), OWNED + spec))
                .as("a declared scheme wins (TLS terminated in front of the Ingress)")
                .isEqualTo(new ServerAddress.Reached("https://ada.b.example.org/user/ada/"));
    }

    @Test
    void anHttpRouteGivesItsFirstHostNameHttpsUnlessDeclaredAndTheListenerPort() {
        String spec = """
            spec:
              parentRefs: [{name: gw, namespace: gateways, port: 8443}]
              hostnames: [ada.b.example.org]
              rules: [{matches: [{path: {type: PathPrefix, value: /}}], backendRefs: [{name: jupyter-ada, port: 8888}]}]
            """;
        assertThat(of(route(null), OWNED + spec))
                .isEqualTo(new ServerAddress.Reached("https://ada.b.example.org:8443/"));
        assertThat(of(route("http"), OWNED + spec.replace("port: 8443", "port: 80")))
                .isEqualTo(new ServerAddress.Reached("http://ada.b.example.org/"));
    }

    @Test
    void anObjectThatCannotGiveAnAddressIsRefusedWithTheTemplateAndFieldNamed() {
        assertThat(of(route(null), OWNED + "spec: {rules: [{backendRefs: [{name: jupyter-ada}]}]}"))
                .isInstanceOfSatisfying(
                        ServerAddress.Refused.class,
                        r -> assertThat(r.message())
                                .contains(
                                        "HTTPRoute route-ada",
                                        "spec.serverUrlFrom of template users/remote",
                                        "spec.hostnames[0]",
                                        "[jupyter-ada, lb-ada]"));
        assertThat(of(
                        ingress(null),
                        OWNED + "spec: {rules: [{host: a.example.org, http: {paths: [{backend: {service:"
                                + " {name: someone-else}}}]}}]}"))
                .isInstanceOfSatisfying(
                        ServerAddress.Refused.class,
                        r -> assertThat(r.message())
                                .contains("Ingress ing-ada", "spec.rules[].host", "backend.service.name"));
        assertThat(of(ingress(null), null))
                .isInstanceOfSatisfying(
                        ServerAddress.Refused.class,
                        r -> assertThat(r.message()).contains("Ingress ing-ada", "does not exist"));
        assertThat(of(new ServerUrlTarget("v1", "ConfigMap", "c", null, 0), OWNED))
                .isInstanceOfSatisfying(
                        ServerAddress.Refused.class,
                        r -> assertThat(r.message()).contains("allowed: Service, Ingress, HTTPRoute"));
    }

    @Test
    void onlyTheInstancesOwnObjectGivesAnAddress() {
        String another = OWNED.replace("uid: uid-ada", "uid: uid-bob")
                + "status: {loadBalancer: {ingress: [{ip: 203.0.113.9}]}}";
        assertThat(of(service(null), another))
                .isInstanceOfSatisfying(
                        ServerAddress.Refused.class,
                        r -> assertThat(r.message()).contains("not this instance's"));
        assertThat(of(service(null), "metadata: {name: lb-ada}\nstatus: {loadBalancer: {ingress: [{ip: 1.2.3.4}]}}"))
                .as("unowned and unlabelled: someone else's")
                .isInstanceOf(ServerAddress.Refused.class);
        String retained = """
            metadata:
              name: lb-ada
              labels: {app.kubernetes.io/managed-by: jupyter-notebook-operator, kubespawner.jupyterhub.org/instance: ada}
            status: {loadBalancer: {ingress: [{ip: 203.0.113.7}]}}
            """;
        assertThat(of(service(null), retained))
                .as("retained for this instance (whenDeleted: Retain)")
                .isEqualTo(new ServerAddress.Reached("http://203.0.113.7:80"));
    }
}
