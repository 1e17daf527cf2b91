package org.jupyterhub.kubespawner.templating;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jupyterhub.kubespawner.templating.CompiledTemplateTest.spec;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.jupyterhub.kubespawner.templating.core.TemplateError;

/** spec.serverUrlFrom: which objects it may name, what each must hold, and its name rendered for an instance. */
class ServerUrlRulesTest {

    private static final Map<String, String> BUILTINS = BuiltinVariables.of("inst", "users", "tmpl", "admin");

    private static final KindAllowlist ALLOW = new KindAllowlist(
            List.of(AllowlistedKinds.INGRESS, AllowlistedKinds.HTTP_ROUTE, AllowlistedKinds.CONFIG_MAP), Set.of());

    private static final String BASE = """
      variables:
      - {name: user, required: true, pattern: '[a-z0-9.-]+'}
      pods:
      - name: jupyter-{user}
        notebookPort: 8888
        spec:
          containers:
          - name: notebook
            image: 'quay.io/jupyter/base-notebook'
            ports: [{name: notebook-port, containerPort: 8888}]
      policy: {allowedImages: ['quay.io/**']}
      services:
      - name: jupyter-{user}
        spec:
          ports: [{port: 8888, targetPort: 8888}]
      """;

    private static CompiledTemplate compile(String more) {
        return CompiledTemplate.compile(spec(BASE + more), ALLOW);
    }

    private static List<String> problems(String more) {
        return compile(more).problems().stream().map(TemplateError::toString).toList();
    }

    @Test
    void aLoadBalancerServiceGivesItsPortToTheNotebookAndItsRenderedName() {
        CompiledTemplate t = compile("""
          - name: lb-{user}
            spec:
              type: LoadBalancer
              ports: [{name: other, port: 22, targetPort: 2222}, {name: http, port: 80, targetPort: notebook-port}]
          serverUrlFrom: {kind: Service, name: 'lb-{user}'}
          """);
        assertThat(t.problems()).isEmpty();
        assertThat(t.serverUrlTarget(Map.of("user", "ada"), BUILTINS))
                .isEqualTo(new ServerUrlTarget("v1", "Service", "lb-ada", null, 80));
        assertThat(t.serverUrlTarget(Map.of("user", "NOT OK"), BUILTINS))
                .as("values the template rejects give nothing")
                .isNull();
    }

    @Test
    void anIngressAndAnHttpRouteNeedARouteToATemplateService() {
        CompiledTemplate ingress = compile("""
          extraObjects:
          - apiVersion: networking.k8s.io/v1
            kind: Ingress
            name: 'ing-{user}'
            spec:
              tls: [{hosts: ['{user}.hub.example.org']}]
              rules: [{host: '{user}.hub.example.org', http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: 'jupyter-{user}', port: {number: 8888}}}}]}}]
          serverUrlFrom: {kind: Ingress, name: 'ing-{user}'}
          """);
        assertThat(ingress.problems()).isEmpty();
        assertThat(ingress.serverUrlTarget(Map.of("user", "ada"), BUILTINS))
                .isEqualTo(new ServerUrlTarget("networking.k8s.io/v1", "Ingress", "ing-ada", null, 0));

        CompiledTemplate route = compile("""
          extraObjects:
          - apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            name: 'route-{user}'
            spec:
              hostnames: ['{user}.b.example.org']
              rules: [{backendRefs: [{name: 'jupyter-{user}', port: 8888}]}]
          serverUrlFrom: {kind: HTTPRoute, name: 'route-{user}', scheme: http}
          """);
        assertThat(route.problems()).isEmpty();
        assertThat(route.serverUrlTarget(Map.of("user", "ada"), BUILTINS))
                .isEqualTo(new ServerUrlTarget("gateway.networking.k8s.io/v1", "HTTPRoute", "route-ada", "http", 0));
    }

    @Test
    void noDeclarationNoTarget() {
        assertThat(compile("").serverUrlTarget(Map.of("user", "ada"), BUILTINS)).isNull();
    }

    @Test
    void badDeclarationsNameTheFieldAndWhatIsAllowed() {
        assertThat(problems("serverUrlFrom: {kind: Service, name: 'lb-{user}'}"))
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("serverUrlFrom.name", "'lb-{user}'", "services", "[jupyter-{user}]");
        assertThat(problems("serverUrlFrom: {kind: Service, name: 'jupyter-{user}'}"))
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("serverUrlFrom", "services[0]", "ClusterIP", "LoadBalancer");
        assertThat(problems("""
          - name: lb-{user}
            spec: {type: LoadBalancer, ports: [{port: 443, targetPort: 9999}]}
          serverUrlFrom: {kind: Service, name: 'lb-{user}'}
          """))
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("services[1]", "no port whose targetPort is the notebook port 8888", "[notebook-port]");
        assertThat(problems("""
          extraObjects:
          - {apiVersion: v1, kind: ConfigMap, name: 'ing-{user}', data: {a: b}}
          serverUrlFrom: {kind: Ingress, name: 'ing-{user}'}
          """))
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("serverUrlFrom.name", "networking.k8s.io/v1 kind Ingress", "[]");
        assertThat(problems("""
          extraObjects:
          - apiVersion: networking.k8s.io/v1
            kind: Ingress
            name: 'ing-{user}'
            spec:
              rules: [{http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: 'jupyter-{user}', port: {number: 8888}}}}]}}]
          serverUrlFrom: {kind: Ingress, name: 'ing-{user}'}
          """))
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("extraObjects[0]", "spec.rules[].host", "[jupyter-{user}]");
        assertThat(problems("""
          extraObjects:
          - apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            name: 'route-{user}'
            spec:
              rules: [{backendRefs: [{name: 'jupyter-{user}', port: 8888}]}]
          serverUrlFrom: {kind: HTTPRoute, name: 'route-{user}'}
          """))
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("HTTPRoute 'route-{user}'", "spec.hostnames[0]");
        assertThat(problems("""
          extraObjects:
          - apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            name: 'route-{user}'
            spec:
              hostnames: ['{user}.example.org']
              rules: [{backendRefs: [{name: 'someone-else', port: 8888}]}]
          serverUrlFrom: {kind: HTTPRoute, name: 'route-{user}'}
          """))
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("backendRefs", "[jupyter-{user}]");
    }
}
