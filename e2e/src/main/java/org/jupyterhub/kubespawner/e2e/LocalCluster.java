package org.jupyterhub.kubespawner.e2e;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;

/**
 * The local control plane of {@code e2e/cluster}, started (or reused, if one is up and healthy) once per JVM.
 *
 * <p>Most tests use it through {@link ControlPlane}; this class is for code that needs the cluster without a JUnit
 * extension. The first {@link #get()} may take long on a fresh machine: it builds the Kubernetes binaries.
 */
public final class LocalCluster {

    /** Field manager of every server-side apply done by the test support. */
    public static final String FIELD_MANAGER = "jno-e2e";

    private static final Duration UP_TIMEOUT = Duration.ofMinutes(90);
    private static final Duration KUBECTL_TIMEOUT = Duration.ofMinutes(2);
    private static final long WAIT_SECONDS = 60;
    private static final SecureRandom RANDOM = new SecureRandom();

    private static LocalCluster instance;
    private static RuntimeException startFailure;

    private final Path repoRoot;
    private final Path kubeconfig;
    private final Path kubectl;
    private final Path helm;
    private final String podCidrPrefix;
    private final KubernetesClient admin;

    private LocalCluster(Path repoRoot, Properties info) {
        this.repoRoot = repoRoot;
        this.kubeconfig = Path.of(required(info, "kubeconfig"));
        this.kubectl = Path.of(required(info, "kubectl"));
        this.helm = Path.of(required(info, "helm"));
        this.podCidrPrefix = required(info, "podCidrPrefix");
        try {
            this.admin = new KubernetesClientBuilder()
                    .withConfig(Config.fromKubeconfig(Files.readString(kubeconfig)))
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the admin kubeconfig " + kubeconfig, e);
        }
    }

    /**
     * The cluster of this JVM: runs {@code e2e/cluster up} on first use (which reuses a healthy running cluster).
     * A failed start is remembered, so later test classes fail at once with the same message.
     *
     * @return the running cluster
     * @throws IllegalStateException if the control plane cannot be built or started; the message holds the
     *     script's output, ending with the log tail of the component that failed
     */
    public static synchronized LocalCluster get() {
        if (startFailure != null) {
            throw startFailure;
        }
        if (instance == null) {
            try {
                instance = start(RepoRoot.locate());
            } catch (RuntimeException e) {
                startFailure = e;
                throw e;
            }
        }
        return instance;
    }

    private static LocalCluster start(Path repoRoot) {
        CommandResult up = script(repoRoot, "up");
        if (!up.succeeded()) {
            throw new IllegalStateException("e2e/cluster up failed (exit " + up.exitCode() + "):\n" + up.output());
        }
        CommandResult info = script(repoRoot, "info");
        if (!info.succeeded()) {
            throw new IllegalStateException("e2e/cluster info failed:\n" + info.output());
        }
        Properties properties = new Properties();
        try {
            properties.load(new StringReader(info.output()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new LocalCluster(repoRoot, properties);
    }

    // Progress of long steps (builds, waits) goes to stderr, so a slow first start is visible in the build log.
    private static CommandResult script(Path repoRoot, String... args) {
        List<String> command = new ArrayList<>(
                List.of("bash", repoRoot.resolve("e2e").resolve("cluster").toString()));
        command.addAll(List.of(args));
        return ProcessRunner.run(
                command,
                repoRoot,
                Map.of(),
                null,
                UP_TIMEOUT,
                "info".equals(args[0]) ? null : line -> System.err.println("[e2e/cluster] " + line));
    }

    private static String required(Properties info, String key) {
        String value = info.getProperty(key);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("e2e/cluster info did not report '" + key + "'");
        }
        return value.trim();
    }

    /**
     * A client authenticated as the cluster administrator (group system:masters). Shared by every test of this JVM:
     * do not close it.
     *
     * @return the admin client
     */
    public KubernetesClient admin() {
        return admin;
    }

    /**
     * The admin kubeconfig written by {@code e2e/cluster up}.
     *
     * @return its path
     */
    public Path kubeconfig() {
        return kubeconfig;
    }

    /**
     * The repository root the cluster was started from.
     *
     * @return its path
     */
    public Path repoRoot() {
        return repoRoot;
    }

    /**
     * The helm binary pinned in e2e/versions.env, built and cached by {@code e2e/cluster build helm} on first use.
     *
     * @return its path
     * @throws IllegalStateException if it cannot be built
     */
    public synchronized Path helm() {
        if (!Files.isExecutable(helm)) {
            CommandResult build = script(repoRoot, "build", "helm");
            if (!build.succeeded() || !Files.isExecutable(helm)) {
                throw new IllegalStateException(
                        "e2e/cluster build helm failed (exit " + build.exitCode() + "):\n" + build.output());
            }
        }
        return helm;
    }

    /**
     * The first two octets of every fake node's pod CIDR ({@code <prefix>.<node>.0/24}); {@code 127.8} unless
     * {@code JNO_POD_CIDR_PREFIX} says otherwise, so pod IPs are loopback addresses a test can listen on.
     *
     * @return the prefix, e.g. {@code 127.8}
     */
    public String podCidrPrefix() {
        return podCidrPrefix;
    }

    /**
     * Creates a fresh namespace named after {@code prefix} plus a random suffix, and waits until its default
     * ServiceAccount exists (until then the API server rejects pods in it).
     *
     * @param prefix a readable prefix, e.g. the test class name; cut and lower-cased to a valid name
     * @return the namespace's name
     */
    public String createNamespace(String prefix) {
        String base =
                prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (base.length() > 40) {
            base = base.substring(0, 40).replaceAll("-+$", "");
        }
        String name = (base.isEmpty() ? "it" : base) + "-" + Integer.toString(RANDOM.nextInt(1 << 30), 36);
        admin.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .addToLabels("app.kubernetes.io/managed-by", FIELD_MANAGER)
                        .endMetadata()
                        .build())
                .create();
        admin.serviceAccounts()
                .inNamespace(name)
                .withName("default")
                .waitUntilCondition(sa -> sa != null, WAIT_SECONDS, TimeUnit.SECONDS);
        return name;
    }

    /**
     * Deletes a namespace without waiting for it to be gone (the namespace controller finishes it).
     *
     * @param name the namespace
     */
    public void deleteNamespace(String name) {
        admin.namespaces().withName(name).delete();
    }

    /**
     * A new client authenticated as a ServiceAccount through a TokenRequest (one hour), so RBAC applies to it exactly
     * as to a pod running as that account. The ServiceAccount is created if missing. The caller closes the client.
     *
     * @param namespace the ServiceAccount's namespace, also the client's default namespace
     * @param serviceAccount the ServiceAccount's name
     * @return a client that acts as {@code system:serviceaccount:<namespace>:<serviceAccount>}
     */
    public KubernetesClient newClientFor(String namespace, String serviceAccount) {
        admin.serviceAccounts()
                .inNamespace(namespace)
                .resource(new ServiceAccountBuilder()
                        .withNewMetadata()
                        .withName(serviceAccount)
                        .endMetadata()
                        .build())
                .fieldManager(FIELD_MANAGER)
                .serverSideApply();
        TokenRequest token = admin.serviceAccounts()
                .inNamespace(namespace)
                .withName(serviceAccount)
                .tokenRequest(new TokenRequestBuilder()
                        .withNewSpec()
                        .withExpirationSeconds(3600L)
                        .endSpec()
                        .build());
        Config adminConfig = admin.getConfiguration();
        Config config = new ConfigBuilder(Config.empty())
                .withMasterUrl(adminConfig.getMasterUrl())
                .withCaCertData(adminConfig.getCaCertData())
                .withOauthToken(token.getStatus().getToken())
                .withNamespace(namespace)
                .build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /**
     * A new client acting as any user and groups, through impersonation by the admin: authorization (RBAC) is
     * evaluated exactly as for that user, authentication is the admin's. The caller closes the client.
     *
     * @param user the user name, e.g. {@code alice}
     * @param groups the user's groups, e.g. {@code system:authenticated}
     * @return a client whose requests RBAC sees as {@code user} in {@code groups}
     */
    public KubernetesClient newClientAs(String user, String... groups) {
        Config config = new ConfigBuilder(admin.getConfiguration())
                .withImpersonateUsername(user)
                .withImpersonateGroups(groups)
                .build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /**
     * Runs the built kubectl against this cluster as the admin.
     *
     * @param stdin text for kubectl's standard input (e.g. YAML for {@code apply -f -}), or null for none
     * @param args kubectl's arguments
     * @return exit code and combined output
     */
    public CommandResult kubectl(String stdin, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(kubectl.toString());
        command.addAll(args);
        return ProcessRunner.run(
                command, repoRoot, Map.of("KUBECONFIG", kubeconfig.toString()), stdin, KUBECTL_TIMEOUT, null);
    }

    /**
     * Server-side applies every {@code <repo>/crds/*.yaml} (CRDs are too big for client-side apply's annotation) and
     * waits until each is Established. Idempotent, so every test class may call it.
     *
     * @return the names of the CustomResourceDefinitions applied
     */
    public synchronized List<String> applyCrds() {
        Path dir = repoRoot.resolve("crds");
        List<Path> files;
        try (Stream<Path> listing = Files.list(dir)) {
            files = listing.filter(f -> f.getFileName().toString().endsWith(".yaml"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        if (files.isEmpty()) {
            throw new IllegalStateException("no CRDs (*.yaml) in " + dir);
        }
        List<CustomResourceDefinition> crds = new ArrayList<>();
        for (Path file : files) {
            for (HasMetadata item : load(file)) {
                if (!(item instanceof CustomResourceDefinition crd)) {
                    throw new IllegalStateException(
                            file + " holds a " + item.getKind() + ", not a CustomResourceDefinition");
                }
                admin.resource(crd).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
                crds.add(crd);
            }
        }
        for (CustomResourceDefinition crd : crds) {
            admin.apiextensions()
                    .v1()
                    .customResourceDefinitions()
                    .withName(crd.getMetadata().getName())
                    .waitUntilCondition(LocalCluster::established, WAIT_SECONDS, TimeUnit.SECONDS);
            awaitDiscovery(crd);
        }
        return crds.stream().map(crd -> crd.getMetadata().getName()).toList();
    }

    /**
     * Parses a YAML file (one or more documents) into typed objects.
     *
     * @param file the file
     * @return its objects, typed where fabric8 knows the kind
     */
    public List<HasMetadata> load(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return admin.load(in).items();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    // Clients resolve a kind's plural through discovery, which may trail the Established condition briefly.
    private void awaitDiscovery(CustomResourceDefinition crd) {
        String plural = crd.getSpec().getNames().getPlural();
        for (var version : crd.getSpec().getVersions()) {
            if (!Boolean.TRUE.equals(version.getServed())) {
                continue;
            }
            String groupVersion = crd.getSpec().getGroup() + "/" + version.getName();
            Awaitility.await("discovery of " + plural + " in " + groupVersion)
                    .atMost(Duration.ofSeconds(WAIT_SECONDS))
                    .pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions()
                    .until(() -> admin.getApiResources(groupVersion).getResources().stream()
                            .anyMatch(r -> plural.equals(r.getName())));
        }
    }

    private static boolean established(CustomResourceDefinition crd) {
        return crd != null
                && crd.getStatus() != null
                && crd.getStatus().getConditions() != null
                && crd.getStatus().getConditions().stream()
                        .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
    }
}
