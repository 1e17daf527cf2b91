package org.jupyterhub.kubespawner.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OperatorConfigTest {

    private static OperatorConfig parse(Map<String, String> env, String... args) {
        return OperatorConfig.parse(env, args);
    }

    @Test
    void defaultsSuitALargeCluster() {
        OperatorConfig c = parse(Map.of("HOSTNAME", "op-0"));

        assertThat(c.watchNamespaces()).isEmpty();
        assertThat(c.clientQps()).isEqualTo(200);
        assertThat(c.clientBurst()).isEqualTo(400);
        assertThat(c.eventQps()).isEqualTo(50);
        assertThat(c.eventBurst()).isEqualTo(200);
        assertThat(c.eventDelay()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.reconcileConcurrency()).isEqualTo(50);
        assertThat(c.progressTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.leaderElection()).isFalse();
        assertThat(c.leaseName()).isEqualTo("jupyter-notebook-operator");
        assertThat(c.leaseNamespace()).isNull();
        assertThat(c.httpPort()).isEqualTo(8080);
        assertThat(c.identity()).isEqualTo("op-0");
        assertThat(c.maxConcurrentSpawns()).isEqualTo(500);
        assertThat(c.hubSecretLabel())
                .isEqualTo(new OperatorConfig.Label("app.kubernetes.io/managed-by", "notebookinstance-spawner"));
    }

    @Test
    void theSettingsForOwnershipChecksAreReadAndChecked() {
        OperatorConfig c =
                parse(Map.of("JNO_MAX_CONCURRENT_SPAWNS", "20", "JNO_HUB_SECRET_LABEL", "example.org/owner=hub-1"));
        assertThat(c.maxConcurrentSpawns()).isEqualTo(20);
        assertThat(c.hubSecretLabel().key()).isEqualTo("example.org/owner");
        assertThat(c.hubSecretLabel().value()).isEqualTo("hub-1");
        assertThat(c.hubSecretLabel()).hasToString("example.org/owner=hub-1");
        assertThat(parse(Map.of(), "--hub-secret-label=team=").hubSecretLabel().value())
                .isEmpty();

        assertThatThrownBy(() -> parse(Map.of(), "--max-concurrent-spawns=0"))
                .hasMessage("max-concurrent-spawns must be positive, got 0");
        assertThatThrownBy(() -> parse(Map.of(), "--hub-secret-label=managed-by"))
                .hasMessageContaining("hub-secret-label must be a label key=value")
                .hasMessageContaining("no '='");
        assertThatThrownBy(() -> parse(Map.of(), "--hub-secret-label=Bad Key=x"))
                .hasMessageContaining("hub-secret-label must be a label key=value")
                .hasMessageContaining("not a valid key");
        assertThatThrownBy(() -> parse(Map.of(), "--hub-secret-label=app=not valid"))
                .hasMessageContaining("not a valid label value");
    }

    @Test
    void environmentSetsAndFlagsOverride() {
        OperatorConfig c = parse(
                Map.of(
                        "JNO_WATCH_NAMESPACES",
                        "a, b,,c",
                        "JNO_CLIENT_QPS",
                        "50",
                        "JNO_PROGRESS_TIMEOUT",
                        "90s",
                        "JNO_EVENT_QPS",
                        "5"),
                "--client-qps=75",
                "--progress-timeout=PT2M",
                "--http-port=-1",
                "--event-burst=7",
                "--event-delay=0ms");

        assertThat(c.watchNamespaces()).isEqualTo(Set.of("a", "b", "c"));
        assertThat(c.clientQps()).isEqualTo(75);
        assertThat(c.eventQps()).isEqualTo(5);
        assertThat(c.eventBurst()).isEqualTo(7);
        assertThat(c.eventDelay()).isZero();
        assertThat(c.progressTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.httpPort()).isEqualTo(-1);
    }

    @Test
    void leaderElectionIsAutomaticWithSeveralReplicasAndCanBeForced() {
        assertThat(parse(Map.of("JNO_REPLICAS", "2")).leaderElection()).isTrue();
        assertThat(parse(Map.of("JNO_REPLICAS", "2"), "--leader-election=false").leaderElection())
                .isFalse();
        assertThat(parse(Map.of(), "--leader-election=true").leaderElection()).isTrue();
    }

    @Test
    void durationsInEveryAcceptedForm() {
        assertThat(Setting.duration("progress-timeout", "500ms", false)).isEqualTo(Duration.ofMillis(500));
        assertThat(Setting.duration("progress-timeout", "45s", false)).isEqualTo(Duration.ofSeconds(45));
        assertThat(Setting.duration("progress-timeout", "5m", false)).isEqualTo(Duration.ofMinutes(5));
        assertThat(Setting.duration("progress-timeout", "1h", false)).isEqualTo(Duration.ofHours(1));
        assertThat(Setting.duration("progress-timeout", "PT10S", false)).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void badValuesNameTheSettingAndWhatIsAllowed() {
        assertThatThrownBy(() -> parse(Map.of("JNO_CLIENT_QPS", "lots")))
                .hasMessage("client-qps must be a whole number, got 'lots'");
        assertThatThrownBy(() -> parse(Map.of(), "--reconcile-concurrency=0"))
                .hasMessage("reconcile-concurrency must be positive, got 0");
        assertThatThrownBy(() -> parse(Map.of(), "--progress-timeout=soon"))
                .hasMessageContaining("progress-timeout must look like 500ms, 90s, 5m, 1h or PT5M");
        assertThatThrownBy(() -> parse(Map.of(), "--progress-timeout=0s"))
                .hasMessage("progress-timeout must be positive, got '0s'");
        assertThatThrownBy(() -> parse(Map.of("JNO_EVENT_DELAY", "-PT1S")))
                .hasMessage("event-delay must be zero or more, got '-PT1S'");
        assertThatThrownBy(() -> parse(Map.of(), "--leader-election=maybe"))
                .hasMessageContaining("leader-election must be true, false or auto");
        assertThatThrownBy(() -> parse(Map.of(), "--colour=blue")).hasMessageContaining("unknown flag --colour");
        assertThatThrownBy(() -> parse(Map.of(), "verbose")).hasMessageContaining("flags look like --name=value");
        assertThatThrownBy(() -> parse(Map.of(), "--http-port=70000")).hasMessageContaining("http-port");
    }

    @Test
    void helpListsEveryFlagWithItsVariableDefaultAndMeaning() {
        String help = OperatorConfig.help();

        for (Setting<?> setting : OperatorSettings.ALL) {
            assertThat(help)
                    .contains("--" + setting.flag())
                    .contains(setting.env())
                    .contains("default " + setting.shownDefault().replace("`", ""))
                    .contains(setting.meaning().replace("`", ""));
        }
        assertThat(help).doesNotContain("`");
    }

    @Test
    void everySettingIsDeclaredOnceAndItsDefaultIsValid() {
        assertThat(OperatorSettings.ALL).extracting(Setting::flag).doesNotHaveDuplicates();
        assertThat(OperatorSettings.ALL).extracting(Setting::env).doesNotHaveDuplicates();
        for (Setting<?> setting : OperatorSettings.ALL) {
            assertThat(setting.env())
                    .as(setting.flag())
                    .isEqualTo("JNO_" + setting.flag().toUpperCase(Locale.ROOT).replace('-', '_'));
            if (setting.defaultText() != null) {
                assertThat(setting.from(Map.of())).as(setting.flag()).isNotNull();
            }
        }
    }

    @Test
    void theAllowlistIsReadFromItsTwoSettingsAndBadEntriesAreNamed() {
        OperatorConfig c = parse(Map.of(
                "JNO_EXTRA_KINDS",
                "v1/ConfigMap, gateway.networking.k8s.io/v1/HTTPRoute,ray.io/v1/RayCluster=spec.headGroupSpec.template.spec",
                "JNO_BINDABLE_ROLES",
                "ClusterRole/view,Role/reader"));
        assertThat(c.allowlist().describeKinds())
                .containsExactly("v1 ConfigMap", "gateway.networking.k8s.io/v1 HTTPRoute", "ray.io/v1 RayCluster");
        assertThat(c.allowlist().find("ray.io/v1", "RayCluster").podSpec().path())
                .isEqualTo("spec.headGroupSpec.template.spec");
        assertThat(c.allowlist().bindableRoles())
                .extracting(Object::toString)
                .containsExactlyInAnyOrder("ClusterRole/view", "Role/reader");
        assertThat(parse(Map.of()).allowlist().kinds()).isEmpty();
        assertThatThrownBy(() -> parse(Map.of("JNO_EXTRA_KINDS", "ConfigMap")))
                .hasMessageContaining("extra-kinds entries look like v1/ConfigMap");
        assertThatThrownBy(() -> parse(Map.of("JNO_EXTRA_KINDS", "v1/Widget")))
                .hasMessageContaining("not a kind the operator knows in the core group");
        assertThatThrownBy(() -> parse(Map.of("JNO_EXTRA_KINDS", "v1/ConfigMap=spec")))
                .hasMessageContaining("only custom resources take a pod spec path");
        assertThatThrownBy(() -> parse(Map.of("JNO_EXTRA_KINDS", "v1/ConfigMap,v1/ConfigMap")))
                .hasMessageContaining("twice");
        assertThatThrownBy(() -> parse(Map.of("JNO_BINDABLE_ROLES", "Group/admins")))
                .hasMessageContaining("bindable-roles")
                .hasMessageContaining("Role or ClusterRole");
    }

    @Test
    void instanceQuotasAreNamespaceSlashNameItems() {
        assertThat(parse(Map.of("JNO_INSTANCE_QUOTAS", "users-a/r-instances, users-b/r-instances"))
                        .instanceQuotas())
                .extracting(Object::toString)
                .containsExactly("users-a/r-instances", "users-b/r-instances");
        assertThat(parse(Map.of()).instanceQuotas()).isEmpty();
        assertThatThrownBy(() -> parse(Map.of("JNO_INSTANCE_QUOTAS", "r-instances")))
                .hasMessageContaining("instance-quotas")
                .hasMessageContaining("namespace/name");
    }
}
