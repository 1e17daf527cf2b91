package org.jupyterhub.kubespawner.operator.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.jupyterhub.kubespawner.v1.JupyterNotebookQuota;

/** The quota check, pure: quotas, the candidate and the servers holding a share in; a refusal naming each quota out. */
class QuotasTest {

    private static final String NS = "hub";

    /** Servers in memory, filtered as the operator's indexes would. */
    private record Servers(List<Server> all) implements ServerView {
        @Override
        public Iterable<Server> ofUser(String namespace, String user) {
            return all.stream()
                    .filter(s -> s.namespace().equals(namespace) && user.equals(s.user()))
                    .toList();
        }

        @Override
        public Iterable<Server> ofGroup(String namespace, String group) {
            return all.stream()
                    .filter(s -> s.namespace().equals(namespace) && s.groups().contains(group))
                    .toList();
        }

        @Override
        public Iterable<Server> ofTemplate(String namespace, String template) {
            return all.stream()
                    .filter(s -> s.namespace().equals(namespace) && s.template().equals(template))
                    .toList();
        }

        @Override
        public Iterable<Server> inNamespace(String namespace) {
            return all.stream().filter(s -> s.namespace().equals(namespace)).toList();
        }
    }

    private final List<Server> running = new ArrayList<>();
    private final Servers view = new Servers(running);

    private static QuotaRule quota(String name, String spec) {
        return QuotaRule.of(Serialization.unmarshal("""
                apiVersion: kubespawner.jupyterhub.org/v1
                kind: JupyterNotebookQuota
                metadata: {name: %s, namespace: hub}
                spec:
                %s
                """.formatted(name, spec.indent(2)), JupyterNotebookQuota.class));
    }

    private static Server server(String name, String user, List<String> groups, String template, String cpu) {
        return new Server(
                NS,
                name,
                user,
                groups,
                NS + "/" + template,
                cpu == null ? Map.of() : Map.of("cpu", new BigDecimal(cpu)));
    }

    @Test
    void serversInAllAreCountedAndTheRefusalSaysTheUse() {
        QuotaRule q = quota("servers", "limits: {servers: 2}");
        running.add(server("a", "ada", List.of(), "t", null));
        assertThat(Quotas.check(List.of(q), server("b", "bob", List.of(), "t", null), view))
                .isNull();
        running.add(server("b", "bob", List.of(), "t", null));
        Quotas.Refusal refusal = Quotas.check(List.of(q), server("c", "cy", List.of(), "t", null), view);
        assertThat(refusal.unidentified()).isFalse();
        assertThat(refusal.message())
                .startsWith("quota exceeded: JupyterNotebookQuota hub/servers allows 2 servers (limits.servers) and 2"
                        + " are running or starting")
                .endsWith(" (a, b)");
    }

    @Test
    void perUserCountsOnlyThatUsersServers() {
        QuotaRule q = quota("per-user", "limits: {serversPerUser: 1}");
        running.add(server("a", "ada", List.of(), "t", null));
        assertThat(Quotas.check(List.of(q), server("b", "bob", List.of(), "t", null), view))
                .isNull();
        assertThat(Quotas.check(List.of(q), server("a2", "ada", List.of(), "t", null), view)
                        .message())
                .contains("JupyterNotebookQuota hub/per-user allows 1 server per user", "ada's");
    }

    @Test
    void aScopedQuotaIgnoresServersOutsideItsScope() {
        QuotaRule q = quota("big", "scope: {templates: [big]}\nlimits: {servers: 1}");
        running.add(server("a", "ada", List.of(), "small", null));
        running.add(server("b", "bob", List.of(), "small", null));
        assertThat(Quotas.check(List.of(q), server("c", "cy", List.of(), "big", null), view))
                .as("the small servers do not count")
                .isNull();
        running.add(server("c", "cy", List.of(), "big", null));
        assertThat(Quotas.check(List.of(q), server("d", "dee", List.of(), "big", null), view))
                .isNotNull();
        assertThat(Quotas.check(List.of(q), server("e", "eve", List.of(), "small", null), view))
                .as("a server outside the scope is not limited by it")
                .isNull();
    }

    @Test
    void requestsAreSummedPerGroupAndPerUser() {
        QuotaRule group = quota("physics", "scope: {groups: [physics]}\nlimits: {requests: {cpu: '2'}}");
        QuotaRule perUser = quota("cpu-per-user", "limits: {requestsPerUser: {cpu: 1500m}}");
        running.add(server("a", "ada", List.of("physics"), "t", "1"));
        running.add(server("b", "bob", List.of("chemistry"), "t", "1"));
        assertThat(Quotas.check(List.of(group, perUser), server("c", "cy", List.of("physics"), "t", "1"), view))
                .as("1 + 1 within physics' 2")
                .isNull();
        running.add(server("c", "cy", List.of("physics"), "t", "1"));
        Quotas.Refusal refusal =
                Quotas.check(List.of(group, perUser), server("d", "dee", List.of("physics"), "t", "0.5"), view);
        assertThat(refusal.message())
                .contains("JupyterNotebookQuota hub/physics allows requests of 2 cpu (limits.requests)")
                .contains("this server requests 500m");
        assertThat(Quotas.check(List.of(group, perUser), server("a2", "ada", List.of(), "t", "1"), view)
                        .message())
                .as("ada outside physics now, but 1 + 1 over her 1.5")
                .contains("JupyterNotebookQuota hub/cpu-per-user allows requests of 1500m cpu per user")
                .doesNotContain("hub/physics");
    }

    @Test
    void everyQuotaExceededIsNamedAtOnce() {
        QuotaRule servers = quota("servers", "limits: {servers: 1}");
        QuotaRule perUser = quota("per-user", "limits: {serversPerUser: 1}");
        running.add(server("a", "ada", List.of(), "t", null));
        assertThat(Quotas.check(List.of(servers, perUser), server("a2", "ada", List.of(), "t", null), view)
                        .message())
                .contains("hub/servers", "hub/per-user");
    }

    @Test
    void aQuotaCountingByUserRefusesAnInstanceThatDoesNotSayWhoseItIs() {
        QuotaRule perUser = quota("per-user", "limits: {serversPerUser: 1}");
        Quotas.Refusal refusal = Quotas.check(List.of(perUser), server("x", null, List.of(), "t", null), view);
        assertThat(refusal.unidentified()).isTrue();
        assertThat(refusal.message()).startsWith("spec.user is required: JupyterNotebookQuota hub/per-user");
        assertThat(Quotas.check(
                        List.of(quota("servers", "limits: {servers: 5}")),
                        server("x", null, List.of(), "t", null),
                        view))
                .as("a namespace-wide count needs no user")
                .isNull();
    }
}
