package org.jupyterhub.kubespawner.templating;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.jupyterhub.kubespawner.templating.core.ErrorKind;
import org.jupyterhub.kubespawner.templating.core.TemplateError;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplateSpec;

class CompiledTemplateTest {

    private static final Map<String, String> BUILTINS = BuiltinVariables.of("inst", "users", "tmpl", "admin");

    static JupyterNotebookInstanceTemplateSpec spec(String yaml) {
        try {
            return Examples.YAML.readValue(yaml, JupyterNotebookInstanceTemplateSpec.class);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static final String MINIMAL = """
      variables:
      - {name: user, required: true, pattern: '[a-z0-9-]+', maxLength: 40}
      - {name: image, default: 'quay.io/jupyter/base-notebook:latest'}
      pods:
      - name: jupyter-{user}
        labels: {hub.jupyter.org/username: '{user}', instance: '{instance_name}'}
        spec:
          containers:
          - {name: notebook, image: '{image}'}
      policy: {allowedImages: ['**']}
      """;

    private static RenderedObjects success(RenderResult result) {
        assertThat(result).isInstanceOf(RenderResult.Success.class);
        return ((RenderResult.Success) result).objects();
    }

    private static List<TemplateError> failure(RenderResult result) {
        assertThat(result).isInstanceOf(RenderResult.Failure.class);
        return ((RenderResult.Failure) result).errors();
    }

    @Test
    void rendersPodWithMetadataAndNotebookDefaults() {
        CompiledTemplate template = CompiledTemplate.compile(spec(MINIMAL));
        assertThat(template.problems()).isEmpty();
        assertThat(template.usedBuiltins()).containsExactly("instance_name");
        RenderedObjects objects = success(template.render(Map.of("user", "ada"), BUILTINS));
        NotebookServer pod = objects.notebook();
        assertThat(pod.pod().getMetadata().getName()).isEqualTo("jupyter-ada");
        assertThat(pod.pod().getMetadata().getLabels())
                .containsExactly(Map.entry("hub.jupyter.org/username", "ada"), Map.entry("instance", "inst"));
        assertThat(pod.pod().getSpec().getContainers().get(0).getImage())
                .isEqualTo("quay.io/jupyter/base-notebook:latest");
        assertThat(pod.pod().getKind()).isEqualTo("Pod");
        assertThat(pod.container()).isEqualTo("notebook");
        assertThat(pod.port()).isEqualTo(CompiledTemplate.DEFAULT_NOTEBOOK_PORT);
        assertThat(objects.objects()).singleElement().satisfies(o -> {
            assertThat(o.object()).isSameAs(pod.pod());
            assertThat(o.kind()).isSameAs(ObjectKind.POD);
            assertThat(o.retention()).isEqualTo(Retention.DELETE);
        });
    }

    @Test
    void eachRenderIsIndependent() {
        CompiledTemplate template = CompiledTemplate.compile(spec(MINIMAL));
        RenderedObjects ada = success(template.render(Map.of("user", "ada"), BUILTINS));
        ada.notebook().pod().getSpec().getContainers().get(0).setImage("tampered");
        RenderedObjects bob = success(template.render(Map.of("user", "bob"), BUILTINS));
        assertThat(bob.notebook().pod().getMetadata().getName()).isEqualTo("jupyter-bob");
        assertThat(bob.notebook().pod().getSpec().getContainers().get(0).getImage())
                .startsWith("quay.io/");
    }

    @Test
    void valueErrorsAreAllReportedTogether() {
        CompiledTemplate template = CompiledTemplate.compile(spec(MINIMAL));
        List<TemplateError> errors =
                failure(template.render(Map.of("user", "Ada!", "namespace", "kube-system", "gpu", "1"), Map.of()));
        assertThat(errors)
                .extracting(TemplateError::variable, TemplateError::kind)
                .containsExactlyInAnyOrder(
                        tuple("instance_name", ErrorKind.MISSING_BUILTIN),
                        tuple("user", ErrorKind.PATTERN_MISMATCH),
                        tuple("namespace", ErrorKind.BUILTIN_OVERRIDE),
                        tuple("gpu", ErrorKind.UNDECLARED_VARIABLE));
    }

    @Test
    void renderedNamesAndLabelsAreCheckedWithPaths() {
        String yaml = MINIMAL.replace("pattern: '[a-z0-9-]+', ", "");
        CompiledTemplate template = CompiledTemplate.compile(spec(yaml));
        List<TemplateError> errors = failure(template.render(Map.of("user", "Ada Lovelace"), BUILTINS));
        assertThat(errors)
                .extracting(TemplateError::path, TemplateError::kind)
                .containsExactlyInAnyOrder(
                        tuple("pods[0].name", ErrorKind.INVALID_NAME),
                        tuple("pods[0].labels['hub.jupyter.org/username']", ErrorKind.INVALID_LABEL_VALUE));
        assertThat(errors)
                .filteredOn(e -> e.path().equals("pods[0].name"))
                .singleElement()
                .satisfies(e -> assertThat(e.message())
                        .contains("'jupyter-Ada Lovelace'")
                        .contains("DNS-1123 subdomain"));
    }

    @Test
    void templateProblemsAreFoundAtCompileTimeAndBlockRendering() {
        CompiledTemplate template = CompiledTemplate.compile(spec("""
        variables:
        - {name: size, default: 100Gi, enum: [10Gi, 20Gi]}
        - {name: namespace}
        - {name: re, pattern: '(['}
        pods:
        - name: a-{typo}
          notebook: true
          spec: {containers: [{name: nb, image: 'x:{size}'}]}
        - name: b
          notebook: true
          labels: {'bad key!': x}
          spec: {containers: [{name: Sidecar_1, image: 'x'}]}
        services:
        - name: 1-svc
          spec: {selector: {app: '{{literal}}'}}
        policy: {allowedImages: ['**']}
        """));
        assertThat(template.isValid()).isFalse();
        assertThat(template.problems())
                .extracting(TemplateError::path, TemplateError::kind)
                .containsExactlyInAnyOrder(
                        tuple("variables[0].default", ErrorKind.INVALID_DEFAULT),
                        tuple("variables[1].name", ErrorKind.RESERVED_VARIABLE),
                        tuple("variables[2].pattern", ErrorKind.INVALID_DECLARATION),
                        tuple("pods", ErrorKind.INVALID_STRUCTURE),
                        tuple("pods[0].name", ErrorKind.UNDECLARED_PLACEHOLDER),
                        tuple("pods[1].labels['bad key!']", ErrorKind.INVALID_LABEL_KEY),
                        tuple("pods[1].spec.containers[0].name", ErrorKind.INVALID_NAME),
                        tuple("services[0].name", ErrorKind.INVALID_NAME),
                        tuple("services[0].spec.selector.app", ErrorKind.INVALID_LABEL_VALUE));
        assertThat(template.problems())
                .filteredOn(p -> p.kind() == ErrorKind.UNDECLARED_PLACEHOLDER)
                .singleElement()
                .satisfies(p -> assertThat(p.message())
                        .contains("{typo}")
                        .contains("[size, re]")
                        .contains("[instance_name, namespace, template_name, template_namespace]"));
        assertThat(failure(template.render(Map.of(), BUILTINS))).isEqualTo(template.problems());
    }

    @Test
    void objectsComeOutInWeightOrderWithTheirSettings() {
        CompiledTemplate template = CompiledTemplate.compile(spec("""
        pods:
        - {name: late, weight: 5, spec: {containers: [{name: c, image: i}]}}
        - name: nb
          notebook: true
          notebookContainer: main
          notebookPort: 9999
          spec: {containers: [{name: side, image: i}, {name: main, image: i}]}
        - {name: early, weight: -1, spec: {containers: [{name: c, image: i}]}}
        persistentVolumeClaims:
        - {name: scratch, weight: 2, whenDeleted: Delete, spec: {accessModes: [ReadWriteOnce]}}
        - {name: home, spec: {accessModes: [ReadWriteOnce]}}
        services:
        - {name: 'svc-{instance_name}', spec: {ports: [{port: 80}]}}
        networkPolicies:
        - {name: np, spec: {podSelector: {}}}
        policy: {allowedImages: ['**']}
        """));
        assertThat(template.problems()).isEmpty();
        RenderedObjects objects = success(template.render(Map.of(), BUILTINS));
        assertThat(objects.objectsOf(ObjectKind.POD))
                .extracting(p -> p.getMetadata().getName())
                .containsExactly("early", "nb", "late");
        assertThat(objects.notebook().podName()).isEqualTo("nb");
        assertThat(objects.notebook().container()).isEqualTo("main");
        assertThat(objects.notebook().port()).isEqualTo(9999);
        assertThat(objects.of(ObjectKind.PERSISTENT_VOLUME_CLAIM))
                .extracting(RenderedObject::name, RenderedObject::retention)
                .containsExactly(tuple("home", Retention.RETAIN), tuple("scratch", Retention.DELETE));
        assertThat(objects.objectsOf(ObjectKind.SERVICE))
                .singleElement()
                .satisfies(s -> assertThat(s.getMetadata().getName()).isEqualTo("svc-inst"));
        assertThat(objects.objectsOf(ObjectKind.NETWORK_POLICY))
                .singleElement()
                .satisfies(n -> assertThat(n.getApiVersion()).isEqualTo("networking.k8s.io/v1"));
        // Creation order: claims, network policies, services, pods; each kind by weight.
        assertThat(objects.objects())
                .extracting(o -> o.object().getKind(), RenderedObject::name)
                .containsExactly(
                        tuple("PersistentVolumeClaim", "home"),
                        tuple("PersistentVolumeClaim", "scratch"),
                        tuple("NetworkPolicy", "np"),
                        tuple("Service", "svc-inst"),
                        tuple("Pod", "early"),
                        tuple("Pod", "nb"),
                        tuple("Pod", "late"));
    }

    @Test
    void notebookContainerMustExistAndNamesMustBeUnique() {
        CompiledTemplate template = CompiledTemplate.compile(spec("""
        variables: [{name: c, default: x}]
        pods:
        - {name: same, notebookContainer: '{c}', spec: {containers: [{name: nb, image: i}]}}
        - {name: same, spec: {containers: [{name: nb, image: i}]}}
        policy: {allowedImages: ['**']}
        """));
        assertThat(template.problems()).isEmpty();
        assertThat(failure(template.render(Map.of("c", "nope"), BUILTINS)))
                .extracting(TemplateError::path, TemplateError::kind)
                .containsExactly(
                        tuple("pods[0].notebookContainer", ErrorKind.INVALID_STRUCTURE),
                        tuple("pods[1].name", ErrorKind.INVALID_STRUCTURE));
    }

    @Test
    void renderedQuantitiesAreChecked() {
        CompiledTemplate template = CompiledTemplate.compile(spec("""
        variables: [{name: mem, default: 1G}]
        pods:
        - name: p
          spec:
            containers:
            - name: nb
              image: i
              resources: {limits: {memory: '{mem}', cpu: '500m'}}
        persistentVolumeClaims:
        - {name: c, spec: {resources: {requests: {storage: '{mem}i'}}}}
        policy: {allowedImages: ['**']}
        """));
        assertThat(template.problems()).isEmpty();
        RenderedObjects ok = success(template.render(Map.of(), BUILTINS));
        assertThat(ok.notebook()
                        .pod()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getResources()
                        .getLimits()
                        .get("memory"))
                .hasToString("1G");
        assertThat(ok.objectsOf(ObjectKind.PERSISTENT_VOLUME_CLAIM)
                        .get(0)
                        .getSpec()
                        .getResources()
                        .getRequests()
                        .get("storage"))
                .hasToString("1Gi");
        assertThat(failure(template.render(Map.of("mem", "lots"), BUILTINS)))
                .extracting(TemplateError::path, TemplateError::kind)
                .containsExactlyInAnyOrder(
                        tuple("pods[0].spec.containers[0].resources.limits.memory", ErrorKind.INVALID_QUANTITY),
                        tuple("persistentVolumeClaims[0].spec.resources.requests.storage", ErrorKind.INVALID_QUANTITY));
    }

    @Test
    void templatedPortsInIntOrStringFieldsBecomeNumbers() {
        CompiledTemplate template = CompiledTemplate.compile(spec("""
        variables: [{name: port, default: '8888'}]
        pods:
        - name: p
          spec:
            containers:
            - name: nb
              image: i
              readinessProbe: {httpGet: {path: /api, port: '{port}'}}
              env: [{name: PORT, value: '{port}'}]
        services:
        - name: s
          spec: {ports: [{name: a, port: 80, targetPort: '{port}'}, {name: b, port: 81, targetPort: 'x{port}'}]}
        policy: {allowedImages: ['**']}
        """));
        RenderedObjects objects = success(template.render(Map.of(), BUILTINS));
        var ports = objects.objectsOf(ObjectKind.SERVICE).get(0).getSpec().getPorts();
        assertThat(ports.get(0).getTargetPort().getIntVal()).isEqualTo(8888);
        assertThat(ports.get(1).getTargetPort().getStrVal()).isEqualTo("x8888");
        var container = objects.notebook().pod().getSpec().getContainers().get(0);
        assertThat(container.getReadinessProbe().getHttpGet().getPort().getIntVal())
                .isEqualTo(8888);
        assertThat(container.getEnv().get(0).getValue()).isEqualTo("8888");
    }

    @Test
    void concurrentRendersOfOneCompiledTemplateDoNotInterfere() throws Exception {
        CompiledTemplate template = CompiledTemplate.compile(spec(MINIMAL));
        var pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<String>>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    List<String> mismatches = new ArrayList<>();
                    for (int i = 0; i < 500; i++) {
                        String user = "u" + thread + "-" + i;
                        RenderResult r = template.render(Map.of("user", user), BUILTINS);
                        String name = ((RenderResult.Success) r)
                                .objects()
                                .notebook()
                                .pod()
                                .getMetadata()
                                .getName();
                        if (!name.equals("jupyter-" + user)) {
                            mismatches.add(name);
                        }
                    }
                    return mismatches;
                }));
            }
            for (var future : futures) {
                assertThat(future.get()).isEmpty();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void imagesMustMatchThePolicy() {
        CompiledTemplate template = CompiledTemplate.compile(spec("""
        variables: [{name: image, default: 'quay.io/jupyter/base-notebook:latest'}]
        pods:
        - name: p
          spec:
            initContainers: [{name: init, image: 'docker.io/{{tools}}:1'}]
            containers: [{name: nb, image: '{image}'}, {name: side, image: 'quay.io/jupyter/sidecar:1'}]
        policy: {allowedImages: ['quay.io/jupyter/*']}
        """));
        assertThat(template.problems())
                .extracting(TemplateError::path, TemplateError::kind)
                .containsExactly(tuple("pods[0].spec.initContainers[0].image", ErrorKind.IMAGE_NOT_ALLOWED));

        CompiledTemplate fixed = CompiledTemplate.compile(spec("""
        variables: [{name: image, default: 'quay.io/jupyter/base-notebook:latest'}]
        pods:
        - name: p
          spec:
            containers: [{name: nb, image: '{image}'}, {name: side, image: 'quay.io/jupyter/sidecar:1'}]
        policy: {allowedImages: ['quay.io/jupyter/*']}
        """));
        assertThat(fixed.problems()).isEmpty();
        success(fixed.render(Map.of(), BUILTINS));
        assertThat(failure(fixed.render(Map.of("image", "docker.io/evil/miner:1"), BUILTINS)))
                .singleElement()
                .satisfies(e -> {
                    assertThat(e.path()).isEqualTo("pods[0].spec.containers[0].image");
                    assertThat(e.kind()).isEqualTo(ErrorKind.IMAGE_NOT_ALLOWED);
                    assertThat(e.message()).contains("docker.io/evil/miner:1").contains("[quay.io/jupyter/*]");
                });
    }

    @Test
    void aPolicyIsRequired() {
        assertThat(CompiledTemplate.compile(spec("pods: [{name: p, spec: {containers: [{name: c, image: i}]}}]"))
                        .problems())
                .extracting(TemplateError::path, TemplateError::kind)
                .containsExactly(tuple("policy.allowedImages", ErrorKind.INVALID_STRUCTURE));
    }

    @Test
    void missingPodsAndNullEntriesAreProblemsNotCrashes() {
        assertThat(CompiledTemplate.compile(spec("policy: {allowedImages: ['**']}"))
                        .problems())
                .extracting(TemplateError::path, TemplateError::kind)
                .containsExactly(tuple("pods", ErrorKind.INVALID_STRUCTURE));
        assertThat(CompiledTemplate.compile(spec("pods: [{weight: 1}]\npolicy: {allowedImages: ['**']}"))
                        .problems())
                .extracting(TemplateError::path)
                .containsExactly("pods[0].name", "pods[0].spec");
        assertThat(CompiledTemplate.compile(null).problems()).isNotEmpty();
    }
}
