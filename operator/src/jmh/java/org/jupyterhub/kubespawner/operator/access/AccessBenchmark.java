package org.jupyterhub.kubespawner.operator.access;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jupyterhub.kubespawner.v1.JupyterNotebookAccess;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The access decision of one spawn, as {@code AccessReview.verdict} makes it, with 1,000 JupyterNotebookAccess
 * bindings in the namespace: the template's compiled rule, the rules naming the template, the instance's spec.user
 * read and checked, and the decision. Goal: under 5 microseconds per spawn.
 *
 * <p>{@code spread}: the bindings name 100 templates (10 each); {@code oneTemplate}: all 1,000 name the spawned
 * template. Each binding grants 2 groups and 20 users, half of them with a window; the spawning user is in 5 groups.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AccessBenchmark {

    static final int BINDINGS = 1_000;

    @Param({"spread", "oneTemplate"})
    public String layout;

    private AccessIndex index;
    private JupyterNotebookInstanceTemplate template;
    private JupyterNotebookInstance granted;
    private JupyterNotebookInstance denied;
    private final Instant now = Instant.parse("2027-02-01T12:00:00Z");

    @Setup
    public void setUp() {
        index = new AccessIndex();
        boolean spread = layout.equals("spread");
        for (int i = 0; i < BINDINGS; i++) {
            List<String> users = new ArrayList<>();
            for (int u = 0; u < 20; u++) {
                users.add("user-" + i + "-" + u + "@example.org");
            }
            String window = i % 2 == 0 ? "" : "notBefore: '2027-01-11T08:00:00Z'\n  notAfter: '2027-04-30T18:00:00Z'";
            index.put(Serialization.unmarshal(
                    """
                    apiVersion: kubespawner.jupyterhub.org/v1
                    kind: JupyterNotebookAccess
                    metadata: {name: binding-%d, namespace: hub}
                    spec:
                      templates: [%s]
                      groups: [group-%d, cohort-%d]
                      users: [%s]
                      %s
                    """.formatted(
                                    i,
                                    spread ? "course-" + (i % 100) : "course-7",
                                    i,
                                    i % 50,
                                    String.join(", ", users),
                                    window),
                    JupyterNotebookAccess.class));
        }
        template = Serialization.unmarshal("""
                apiVersion: kubespawner.jupyterhub.org/v1
                kind: JupyterNotebookInstanceTemplate
                metadata: {name: course-7, namespace: hub, uid: u-7, generation: 3}
                spec:
                  pods: []
                  policy:
                    access: {groups: [teachers], whenAccessEnds: Keep}
                """, JupyterNotebookInstanceTemplate.class);
        // group-907 names course-7 in both layouts (907 % 100 == 7)
        granted = instance("ada@example.org", "[staff, physics, group-907, lab-3, alumni]");
        denied = instance("eve@example.org", "[staff, chemistry, lab-3, alumni, visitors]");
        if (!(evaluate(granted) instanceof AccessVerdict.Granted)
                || !(evaluate(denied) instanceof AccessVerdict.Denied)) {
            throw new IllegalStateException("the benchmark's users are not decided as intended");
        }
    }

    private static JupyterNotebookInstance instance(String user, String groups) {
        return Serialization.unmarshal("""
                apiVersion: kubespawner.jupyterhub.org/v1
                kind: JupyterNotebookInstance
                metadata:
                  name: jupyter-x
                  namespace: hub
                  annotations: {hub.jupyter.org/username: '%1$s'}
                spec:
                  template: {name: course-7}
                  user: {name: '%1$s', groups: %2$s}
                """.formatted(user, groups), JupyterNotebookInstance.class);
    }

    private AccessVerdict evaluate(JupyterNotebookInstance instance) {
        TemplateAccess access = index.templateAccess(template);
        return AccessRules.decide(access, index.rulesFor(access.namespace(), access.name()), HubUser.of(instance), now);
    }

    /** A spawn the rules grant (the common case). */
    @Benchmark
    public AccessVerdict granted() {
        return evaluate(granted);
    }

    /** A spawn the rules refuse: the message lists the rules naming the template. */
    @Benchmark
    public AccessVerdict denied() {
        return evaluate(denied);
    }
}
