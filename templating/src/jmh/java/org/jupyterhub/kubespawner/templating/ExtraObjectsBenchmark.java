package org.jupyterhub.kubespawner.templating;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplateSpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The render cost of each object a template adds through {@code extraObjects}: {@link RenderBenchmark}'s Z2JH pod
 * plus {@code extraObjects} entries, cycling through a ConfigMap (typed), an HTTPRoute (generic) and a custom
 * resource with a pod spec whose images are checked. The cost per added object is the difference to
 * {@code extraObjects=0}, divided by the count.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ExtraObjectsBenchmark {

    private static final List<String> ENTRIES = List.of("""
            - apiVersion: v1
              kind: ConfigMap
              name: 'settings-{user_server}-%d'
              labels: {hub.jupyter.org/username: '{username}'}
              data: {user: '{unescaped_username}', image: '{image}', limits: '{cpu_limit}/{mem_limit}'}
            """, """
            - apiVersion: gateway.networking.k8s.io/v1
              kind: HTTPRoute
              name: 'route-{user_server}-%d'
              spec:
                parentRefs: [{name: notebooks, namespace: gateways}]
                hostnames: ['{user_server}.notebooks.example.org']
                rules: [{backendRefs: [{name: 'jupyter-{user_server}', port: 8888}]}]
            """, """
            - apiVersion: example.org/v1
              kind: Workspace
              name: 'ws-{user_server}-%d'
              readiness: {conditionType: Ready}
              spec:
                owner: '{unescaped_username}'
                template:
                  spec:
                    containers: [{name: sidecar, image: '{image}', args: [--user, '{username}']}]
            """);

    private static final KindAllowlist ALLOWLIST = new KindAllowlist(
            List.of(
                    AllowlistedKinds.CONFIG_MAP,
                    AllowlistedKinds.HTTP_ROUTE,
                    AllowlistedKinds.custom("example.org/v1", "Workspace", "spec.template.spec")),
            Set.of());

    /** How many extraObjects entries the template adds to the pod. */
    @Param({"0", "1", "3", "12"})
    public int extraObjects;

    private CompiledTemplate compiled;

    /** Builds and compiles the template, and checks that it renders. */
    @Setup
    public void setUp() throws Exception {
        StringBuilder yaml = new StringBuilder(RenderBenchmark.SPEC);
        if (extraObjects > 0) {
            yaml.append("extraObjects:\n");
        }
        for (int i = 0; i < extraObjects; i++) {
            yaml.append(ENTRIES.get(i % ENTRIES.size()).formatted(i));
        }
        JupyterNotebookInstanceTemplateSpec spec = new ObjectMapper(new YAMLFactory())
                .readValue(yaml.toString(), JupyterNotebookInstanceTemplateSpec.class);
        compiled = CompiledTemplate.compile(spec, ALLOWLIST);
        if (!compiled.isValid()) {
            throw new IllegalStateException("benchmark template is invalid: " + compiled.problems());
        }
        RenderResult result = compiled.render(RenderBenchmark.INSTANCE, RenderBenchmark.BUILTINS);
        if (!(result instanceof RenderResult.Success success)
                || success.objects().objects().size() != extraObjects + 1) {
            throw new IllegalStateException("benchmark render failed: " + result);
        }
    }

    /** One render of the pod and its extra objects. */
    @Benchmark
    public RenderResult render() {
        return compiled.render(RenderBenchmark.INSTANCE, RenderBenchmark.BUILTINS);
    }
}
