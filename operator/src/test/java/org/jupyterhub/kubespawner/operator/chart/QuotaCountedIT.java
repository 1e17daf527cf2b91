package org.jupyterhub.kubespawner.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.jupyterhub.kubespawner.e2e.ControlPlane;
import org.jupyterhub.kubespawner.e2e.HelmRelease;
import org.jupyterhub.kubespawner.events.EventRecorder;
import org.jupyterhub.kubespawner.operator.quota.QuotaCount;
import org.jupyterhub.kubespawner.operator.quota.QuotaNudger;
import org.jupyterhub.kubespawner.operator.runtime.OperatorConfig;

/**
 * The operator gets an uncounted instance quota counted, with nothing but the chart's RBAC. A quota limiting a
 * resource whose CRD the quota controller has not discovered yet (it looks every 30 s) is synced without a
 * {@code status.used} entry for it, and stays so until its spec.hard changes or the 5-minute resync: here, a
 * brand-new CRD made just before the chart's quota is given a limit on it, as a first install does with the
 * instance CRD. The nudger, configured from the installed Deployment's environment and authenticated as the chart's
 * operator ServiceAccount, gets it counted, leaves its limits as they were and records a Normal Event; a quota it
 * may not read (another namespace) is left alone without failing.
 */
class QuotaCountedIT {

    @RegisterExtension
    static final ControlPlane cluster = ControlPlane.perClass();

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String GROUP = "it.jno.example.org";

    private static HelmRelease release;
    private static String ns;
    private static String plural;

    @BeforeAll
    static void install() {
        cluster.applyCrds();
        ns = cluster.namespace();
        release = HelmRelease.install(cluster, "jno", ns, "hub.instanceQuota=5");
    }

    @AfterAll
    static void uninstall() {
        if (plural != null) {
            cluster.admin()
                    .apiextensions()
                    .v1()
                    .customResourceDefinitions()
                    .withName(plural + "." + GROUP)
                    .delete();
        }
        if (release != null) {
            release.close();
        }
    }

    @Test
    void anUncountedQuotaIsCountedAndKeepsItsLimits() throws InterruptedException {
        KubernetesClient admin = cluster.admin();
        String quotaName = release.fullname() + "-instances";
        OperatorConfig config =
                OperatorConfig.parse(ChartDeployment.environment(admin, release, ns, "jno-operator-it"), new String[0]);
        assertThat(config.instanceQuotas())
                .as("the chart names its quota to the operator")
                .containsExactly(new QuotaNudger.QuotaRef(ns, quotaName));

        // A resource the quota controller cannot know yet, limited by the chart's quota right after its CRD exists.
        plural = "gadgets" + UUID.randomUUID().toString().substring(0, 8);
        newCrd(admin, plural);
        String gadgets = "count/" + plural + "." + GROUP;
        admin.resourceQuotas()
                .inNamespace(ns)
                .withName(quotaName)
                .patch(
                        PatchContext.of(PatchType.JSON_MERGE),
                        Serialization.asJson(Map.of("spec", Map.of("hard", Map.of(gadgets, "3")))));
        Map<String, Quantity> limits = new TreeMap<>(quota(quotaName).getSpec().getHard());
        await("the quota controller synced the new limit")
                .atMost(WAIT)
                .until(() -> !(QuotaCount.decide(quota(quotaName)) instanceof QuotaCount.Syncing));
        QuotaCount.Decision before = QuotaCount.decide(quota(quotaName));
        assumeThat(before)
                .as("the controller discovered the brand-new CRD within the second before the quota named it")
                .isInstanceOf(QuotaCount.Nudge.class);
        assertThat(((QuotaCount.Nudge) before).limits()).containsOnlyKeys(gadgets);

        KubernetesClient asOperator = cluster.clientFor(ns, release.fullname());
        List<QuotaNudger.QuotaRef> quotas = new ArrayList<>(config.instanceQuotas());
        quotas.add(new QuotaNudger.QuotaRef("default", quotaName)); // no RBAC there: left alone, no failure
        try (EventRecorder events = EventRecorder.builder(asOperator)
                        .reportingController("kubespawner.jupyterhub.org/it")
                        .reportingInstance("jno-operator-it")
                        .build();
                QuotaNudger nudger = new QuotaNudger(asOperator, events, quotas, Duration.ofSeconds(5), 24)) {
            nudger.start();
            assertThat(nudger.awaitDone(WAIT)).as("every quota done").isTrue();
            ResourceQuota after = quota(quotaName);
            assertThat(QuotaCount.decide(after)).isInstanceOf(QuotaCount.Counted.class);
            assertThat(after.getStatus().getUsed()).containsKey(gadgets);
            assertThat(after.getSpec().getHard()).as("the limits as they were").isEqualTo(limits);
            await("a Normal Event on the quota")
                    .atMost(WAIT)
                    .until(() -> admin.events().v1().events().inNamespace(ns).list().getItems().stream()
                            .anyMatch(e -> isNudge(e, after)));
        }
        // The cluster admits under the quota again: it counts the new resource.
        assertThat(quota(quotaName).getStatus().getHard()).containsKey(gadgets);
    }

    private static boolean isNudge(Event e, HasMetadata quota) {
        return QuotaNudger.REASON.equals(e.getReason())
                && "Normal".equals(e.getType())
                && e.getRegarding() != null
                && "ResourceQuota".equals(e.getRegarding().getKind())
                && quota.getMetadata().getName().equals(e.getRegarding().getName())
                && e.getNote() != null
                && e.getNote().contains(plural);
    }

    private static ResourceQuota quota(String name) {
        return cluster.admin().resourceQuotas().inNamespace(ns).withName(name).get();
    }

    private static void newCrd(KubernetesClient admin, String plural) {
        String kind = "Gadget" + plural.substring("gadgets".length());
        String yaml = """
                apiVersion: apiextensions.k8s.io/v1
                kind: CustomResourceDefinition
                metadata:
                  name: %s.%s
                spec:
                  group: %s
                  scope: Namespaced
                  names: {plural: %s, singular: %s, kind: %s}
                  versions:
                    - name: v1
                      served: true
                      storage: true
                      schema:
                        openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
                """.formatted(plural, GROUP, GROUP, plural, plural.replaceFirst("gadgets", "gadget"), kind);
        for (HasMetadata item : admin.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)))
                .items()) {
            admin.resource(item).create();
        }
        await("the CRD established").atMost(WAIT).until(() -> {
            var crd = admin.apiextensions()
                    .v1()
                    .customResourceDefinitions()
                    .withName(plural + "." + GROUP)
                    .get();
            return crd.getStatus() != null
                    && crd.getStatus().getConditions() != null
                    && crd.getStatus().getConditions().stream()
                            .anyMatch(c -> c.getType().equals("Established")
                                    && c.getStatus().equals("True"));
        });
    }
}
