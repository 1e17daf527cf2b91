package org.jupyterhub.kubespawner.templating;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The routes of Ingresses and HTTPRoutes to a server's Services. */
class ServerRoutesTest {

    private static JsonNode yaml(String text) throws Exception {
        return new ObjectMapper(new YAMLFactory()).readTree(text);
    }

    @Test
    void anIngressRuleToTheServersServiceWithTlsCoveringItsHost() throws Exception {
        JsonNode spec = yaml("""
            tls: [{hosts: [other.example.org]}, {hosts: ['*.hub.example.org']}]
            rules:
            - host: other.example.org
              http: {paths: [{path: /, backend: {service: {name: someone-else}}}]}
            - http: {paths: [{path: /x, backend: {service: {name: jupyter-ada}}}]}
            - host: ada.hub.example.org
              http: {paths: [{path: /user/ada/, backend: {service: {name: jupyter-ada}}}]}
            """);
        assertThat(ServerRoutes.ofIngress(spec, Set.of("jupyter-ada")))
                .isEqualTo(new ServerRoutes.Route("ada.hub.example.org", "/user/ada/", true, 0));
        assertThat(ServerRoutes.ofIngress(spec, Set.of("nobody"))).isNull();
    }

    @Test
    void tlsCoversOnlyMatchingHostsAndOneWildcardLabel() throws Exception {
        String rules = "rules: [{host: a.b.hub.example.org, http: {paths: [{backend: {service: {name: s}}}]}}]\n";
        assertThat(ServerRoutes.ofIngress(yaml(rules + "tls: [{hosts: ['*.hub.example.org']}]"), Set.of("s")))
                .isEqualTo(new ServerRoutes.Route("a.b.hub.example.org", "/", false, 0));
        assertThat(ServerRoutes.ofIngress(yaml(rules + "tls: [{secretName: x}]"), Set.of("s"))
                        .tls())
                .as("a TLS entry without hosts covers every host")
                .isTrue();
        assertThat(ServerRoutes.ofIngress(yaml(rules), Set.of("s")).tls()).isFalse();
    }

    @Test
    void anHttpRouteNeedsAHostNameAndABackendRefToTheServersService() throws Exception {
        JsonNode spec = yaml("""
            parentRefs: [{name: gw, port: 8443}]
            hostnames: [ada.b.example.org]
            rules:
            - backendRefs: [{kind: ConfigMap, name: jupyter-ada}]
            - matches: [{path: {type: PathPrefix, value: /user/ada}}]
              backendRefs: [{name: jupyter-ada, port: 8888}]
            """);
        assertThat(ServerRoutes.ofHttpRoute(spec, Set.of("jupyter-ada")))
                .isEqualTo(new ServerRoutes.Route("ada.b.example.org", "/user/ada", false, 8443));
        assertThat(ServerRoutes.ofHttpRoute(
                        yaml("hostnames: ['*.example.org']\nrules: [{backendRefs: [{name: s}]}]"), Set.of("s")))
                .as("a wildcard is no host to connect to")
                .isNull();
        assertThat(ServerRoutes.ofHttpRoute(yaml("rules: [{backendRefs: [{name: s}]}]"), Set.of("s")))
                .isNull();
    }
}
