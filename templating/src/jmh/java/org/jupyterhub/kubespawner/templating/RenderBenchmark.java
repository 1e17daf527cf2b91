package org.jupyterhub.kubespawner.templating;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplateSpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Renders a Zero-to-JupyterHub-like single-user pod: 10 variables, about 40 strings (labels, annotations, two
 * containers, env, volumes, security context), like the pod KubeSpawner 7 builds for Z2JH 4.x. Goal: at most 20
 * microseconds per render on one core.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RenderBenchmark {

    static final String SPEC = """
      variables:
      - {name: username, required: true, pattern: '[a-z0-9]([-a-z0-9]*[a-z0-9])?', maxLength: 63}
      - {name: unescaped_username, required: true, maxLength: 255}
      - {name: servername, default: '', pattern: '([a-z0-9]([-a-z0-9]*[a-z0-9])?)?', maxLength: 63}
      - {name: unescaped_servername, default: '', maxLength: 255}
      - {name: user_server, required: true, pattern: '[a-z0-9]([-a-z0-9]*[a-z0-9])?', maxLength: 63}
      - {name: userid, required: true, pattern: '[0-9]+', maxLength: 20}
      - {name: image, default: 'quay.io/jupyterhub/k8s-singleuser-sample:4.2.0'}
      - {name: cpu_limit, default: '2', enum: ['1', '2', '4']}
      - {name: mem_limit, default: 2G, enum: [1G, 2G, 4G, 8G]}
      - {name: mem_guarantee, default: 1G, enum: [512M, 1G, 2G]}
      pods:
      - name: jupyter-{user_server}
        notebook: true
        notebookContainer: notebook
        labels:
          app: jupyterhub
          component: singleuser-server
          release: jupyterhub
          chart: jupyterhub-4.2.0
          heritage: jupyterhub
          hub.jupyter.org/network-access-hub: "true"
          hub.jupyter.org/username: '{username}'
          hub.jupyter.org/servername: '{servername}'
        annotations:
          hub.jupyter.org/username: '{unescaped_username}'
          hub.jupyter.org/servername: '{unescaped_servername}'
          hub.jupyter.org/userid: '{userid}'
          hub.jupyter.org/instance: '{instance_name}'
        spec:
          automountServiceAccountToken: false
          restartPolicy: OnFailure
          schedulerName: jupyterhub-user-scheduler
          securityContext: {fsGroup: 100}
          initContainers:
          - name: block-cloud-metadata
            image: quay.io/jupyterhub/k8s-network-tools:4.2.0
            command: [iptables, --append, OUTPUT, --protocol, tcp, --destination, 169.254.169.254,
                      --destination-port, '80', --jump, DROP]
            securityContext: {runAsUser: 0, privileged: true, capabilities: {add: [NET_ADMIN]}}
          containers:
          - name: notebook
            image: '{image}'
            imagePullPolicy: IfNotPresent
            args: [jupyterhub-singleuser]
            workingDir: /home/jovyan
            ports: [{name: notebook-port, containerPort: 8888, protocol: TCP}]
            env:
            - {name: JUPYTER_IMAGE_SPEC, value: '{image}'}
            - {name: JUPYTER_IMAGE, value: '{image}'}
            - {name: MEM_LIMIT, value: '{mem_limit}'}
            - {name: MEM_GUARANTEE, value: '{mem_guarantee}'}
            - {name: CPU_LIMIT, value: '{cpu_limit}'}
            - {name: JUPYTERHUB_USER, value: '{unescaped_username}'}
            - {name: JUPYTERHUB_SERVER_NAME, value: '{unescaped_servername}'}
            - {name: JUPYTERHUB_SERVICE_PREFIX, value: '/user/{unescaped_username}/{unescaped_servername}'}
            - {name: JUPYTER_SETTINGS, value: '{{"theme": "dark", "user": "{username}"}}'}
            resources:
              limits: {cpu: '{cpu_limit}', memory: '{mem_limit}'}
              requests: {memory: '{mem_guarantee}'}
            securityContext:
              runAsUser: 1000
              runAsGroup: 100
              allowPrivilegeEscalation: false
              capabilities: {drop: [ALL]}
            volumeMounts:
            - {name: home, mountPath: /home/jovyan}
            - {name: shared, mountPath: /home/shared, readOnly: true}
          volumes:
          - name: home
            persistentVolumeClaim: {claimName: 'claim-{user_server}'}
          - name: shared
            persistentVolumeClaim: {claimName: shared-data}
          tolerations:
          - {key: hub.jupyter.org/dedicated, operator: Equal, value: user, effect: NoSchedule}
          - {key: hub.jupyter.org_dedicated, operator: Equal, value: user, effect: NoSchedule}
      policy: {allowedImages: ['quay.io/**']}
      """;

    static final Map<String, String> INSTANCE = Map.of(
            "username", "ada-lovelace-example-org---7799473f",
            "unescaped_username", "ada.lovelace@example.org",
            "user_server", "ada-lovelace-example-org---7799473f",
            "userid", "42",
            "mem_limit", "4G");

    static final Map<String, String> BUILTINS =
            BuiltinVariables.of("jupyter-ada", "jupyterhub", "z2jh-default", "jupyterhub");

    private JupyterNotebookInstanceTemplateSpec spec;
    private CompiledTemplate compiled;

    /** Parses and compiles once, and checks that the benchmark renders successfully. */
    @Setup
    public void setUp() throws Exception {
        spec = new ObjectMapper(new YAMLFactory()).readValue(SPEC, JupyterNotebookInstanceTemplateSpec.class);
        compiled = CompiledTemplate.compile(spec);
        if (!compiled.isValid()) {
            throw new IllegalStateException("benchmark template is invalid: " + compiled.problems());
        }
        RenderResult result = compiled.render(INSTANCE, BUILTINS);
        if (!(result instanceof RenderResult.Success)) {
            throw new IllegalStateException("benchmark render failed: " + result);
        }
    }

    /** The goal: one render of a compiled template into fabric8 objects, values validated and names checked. */
    @Benchmark
    public RenderResult render() {
        return compiled.render(INSTANCE, BUILTINS);
    }

    /** For reference: compiling the template (done once per template generation by the operator). */
    @Benchmark
    public CompiledTemplate compile() {
        return CompiledTemplate.compile(spec);
    }
}
