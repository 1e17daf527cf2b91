package org.jupyterhub.kubespawner.e2e;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit extension giving a test class the real local control plane of {@code e2e/cluster} and a fresh namespace of
 * its own:
 *
 * <pre>{@code
 * @RegisterExtension static final ControlPlane cluster = ControlPlane.perClass();
 *
 * @Test void podsRun() {
 *   cluster.admin().pods().inNamespace(cluster.namespace()).resource(pod).create();
 * }
 * }</pre>
 *
 * <p>The cluster starts once per JVM (or a healthy running one is reused) and stays up afterwards for the next run;
 * {@code e2e/cluster down} stops it. The namespace is deleted after the class, with the clients handed out for it.
 */
public final class ControlPlane implements BeforeAllCallback, AfterAllCallback {

    private final List<KubernetesClient> clients = new ArrayList<>();
    private LocalCluster cluster;
    private String namespace;

    private ControlPlane() {}

    /**
     * An extension to register in a {@code static} field with {@code @RegisterExtension}.
     *
     * @return a new extension
     */
    public static ControlPlane perClass() {
        return new ControlPlane();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        cluster = LocalCluster.get();
        namespace = cluster.createNamespace(context.getRequiredTestClass().getSimpleName());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        synchronized (clients) {
            clients.forEach(KubernetesClient::close);
            clients.clear();
        }
        if (namespace != null) {
            cluster.deleteNamespace(namespace);
            namespace = null;
        }
    }

    /**
     * The cluster administrator's client (shared; do not close it).
     *
     * @return the admin client
     */
    public KubernetesClient admin() {
        return started().admin();
    }

    /**
     * This test class's own namespace, created before its first test and deleted after its last.
     *
     * @return the namespace's name
     */
    public String namespace() {
        started();
        return namespace;
    }

    /**
     * A client acting as a ServiceAccount (created if missing), authenticated with a token from the TokenRequest API,
     * so the RBAC rules that bind it apply for real. Closed after the class.
     *
     * @param namespace the ServiceAccount's namespace
     * @param serviceAccount the ServiceAccount's name
     * @return a client acting as {@code system:serviceaccount:<namespace>:<serviceAccount>}
     */
    public KubernetesClient clientFor(String namespace, String serviceAccount) {
        KubernetesClient client = started().newClientFor(namespace, serviceAccount);
        synchronized (clients) {
            clients.add(client);
        }
        return client;
    }

    /**
     * Grants a ServiceAccount exactly some rules in a namespace: a Role with them and a RoleBinding to the account.
     * RBAC takes a moment to apply them everywhere; callers wait for the first allowed request.
     *
     * @param namespace the namespace of the Role, the binding and the ServiceAccount
     * @param serviceAccount the ServiceAccount's name
     * @param role the Role's name (the binding is named {@code <role>-<serviceAccount>})
     * @param rules what the Role allows
     */
    public void grant(String namespace, String serviceAccount, String role, PolicyRule... rules) {
        KubernetesClient admin = admin();
        admin.rbac()
                .roles()
                .inNamespace(namespace)
                .resource(new RoleBuilder()
                        .withNewMetadata()
                        .withName(role)
                        .endMetadata()
                        .withRules(rules)
                        .build())
                .create();
        admin.rbac()
                .roleBindings()
                .inNamespace(namespace)
                .resource(new RoleBindingBuilder()
                        .withNewMetadata()
                        .withName(role + "-" + serviceAccount)
                        .endMetadata()
                        .withNewRoleRef()
                        .withApiGroup("rbac.authorization.k8s.io")
                        .withKind("Role")
                        .withName(role)
                        .endRoleRef()
                        .addNewSubject()
                        .withKind("ServiceAccount")
                        .withName(serviceAccount)
                        .withNamespace(namespace)
                        .endSubject()
                        .build())
                .create();
    }

    /**
     * A client acting as any user and groups through the admin's impersonation, so RBAC decides as for that user
     * (for people rather than pods; pods use {@link #clientFor}). Closed after the class.
     *
     * @param user the user name
     * @param groups the user's groups
     * @return a client whose requests RBAC sees as {@code user} in {@code groups}
     */
    public KubernetesClient clientAs(String user, String... groups) {
        KubernetesClient client = started().newClientAs(user, groups);
        synchronized (clients) {
            clients.add(client);
        }
        return client;
    }

    /**
     * The admin kubeconfig, e.g. for a process under test.
     *
     * @return its path
     */
    public Path kubeconfig() {
        return started().kubeconfig();
    }

    /**
     * The repository root.
     *
     * @return its path
     */
    public Path repoRoot() {
        return started().repoRoot();
    }

    /**
     * Runs the built kubectl as the admin, in this class's namespace unless the arguments name another
     * ({@code -n}/{@code --namespace} given later win).
     *
     * @param args kubectl's arguments
     * @return exit code and combined output
     */
    public CommandResult kubectl(String... args) {
        return kubectlWithInput(null, args);
    }

    /**
     * Like {@link #kubectl(String...)}, feeding {@code stdin} to kubectl (for {@code apply -f -}).
     *
     * @param stdin the standard input, or null for none
     * @param args kubectl's arguments
     * @return exit code and combined output
     */
    public CommandResult kubectlWithInput(String stdin, String... args) {
        List<String> all = new ArrayList<>();
        all.add("--namespace=" + namespace());
        all.addAll(Arrays.asList(args));
        return started().kubectl(stdin, all);
    }

    /**
     * Server-side applies {@code <repo>/crds/*.yaml} and waits until every CRD is Established (idempotent).
     *
     * @return the names of the CRDs applied
     */
    public List<String> applyCrds() {
        return started().applyCrds();
    }

    /**
     * The JVM-wide cluster behind this extension.
     *
     * @return the cluster
     */
    public LocalCluster cluster() {
        return started();
    }

    private LocalCluster started() {
        if (cluster == null) {
            throw new IllegalStateException(
                    "ControlPlane is not started: register it in a static field with "
                            + "@RegisterExtension (ControlPlane.perClass()) and use it from tests, not from field initializers");
        }
        return cluster;
    }
}
