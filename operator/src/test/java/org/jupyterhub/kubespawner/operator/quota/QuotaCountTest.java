package org.jupyterhub.kubespawner.operator.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QuotaCountTest {

    private static final String INSTANCES = "count/jupyternotebookinstances.kubespawner.jupyterhub.org";

    private static ResourceQuota quota(Map<String, String> spec, Map<String, String> hard, Map<String, String> used) {
        ResourceQuotaBuilder b = new ResourceQuotaBuilder()
                .withNewMetadata()
                .withName("q")
                .endMetadata()
                .withNewSpec()
                .withHard(quantities(spec))
                .endSpec();
        if (hard != null) {
            b.withNewStatus()
                    .withHard(quantities(hard))
                    .withUsed(used == null ? null : quantities(used))
                    .endStatus();
        }
        return b.build();
    }

    private static Map<String, Quantity> quantities(Map<String, String> values) {
        Map<String, Quantity> q = new java.util.TreeMap<>();
        values.forEach((k, v) -> q.put(k, new Quantity(v)));
        return q;
    }

    @Test
    void syncedWithoutAUsedEntryIsNudgedWithItsCurrentLimit() {
        ResourceQuota q = quota(
                Map.of(INSTANCES, "1000", "pods", "10"), Map.of(INSTANCES, "1000", "pods", "10"), Map.of("pods", "3"));
        assertThat(QuotaCount.decide(q)).isEqualTo(new QuotaCount.Nudge(Map.of(INSTANCES, "1000")));
    }

    @Test
    void noUsedAtAllNudgesEveryResource() {
        ResourceQuota q = quota(Map.of(INSTANCES, "5"), Map.of(INSTANCES, "5"), null);
        assertThat(QuotaCount.decide(q)).isEqualTo(new QuotaCount.Nudge(Map.of(INSTANCES, "5")));
    }

    @Test
    void everyResourceUsedIsCounted() {
        ResourceQuota q = quota(Map.of(INSTANCES, "1000"), Map.of(INSTANCES, "1000"), Map.of(INSTANCES, "0"));
        assertThat(QuotaCount.decide(q)).isInstanceOf(QuotaCount.Counted.class);
    }

    @Test
    void notYetSyncedOrSyncingAChangeIsLeftToTheController() {
        assertThat(QuotaCount.decide(quota(Map.of(INSTANCES, "5"), null, null)))
                .as("no status yet")
                .isInstanceOf(QuotaCount.Syncing.class);
        assertThat(QuotaCount.decide(quota(Map.of(INSTANCES, "6"), Map.of(INSTANCES, "5"), Map.of())))
                .as("status.hard behind spec.hard (e.g. halfway through a nudge)")
                .isInstanceOf(QuotaCount.Syncing.class);
    }

    @Test
    void theSameLimitWrittenDifferentlyIsSynced() {
        ResourceQuota q = quota(Map.of(INSTANCES, "1k"), Map.of(INSTANCES, "1000"), Map.of());
        assertThat(QuotaCount.decide(q)).isEqualTo(new QuotaCount.Nudge(Map.of(INSTANCES, "1k")));
    }

    @Test
    void aQuotaWithoutLimitsNeedsNothing() {
        assertThat(QuotaCount.decide(quota(Map.of(), null, null))).isInstanceOf(QuotaCount.Counted.class);
    }

    @Test
    void oneMoreIsAPlainWholeNumber() {
        assertThat(QuotaCount.oneMore("1000")).isEqualTo("1001");
        assertThat(QuotaCount.oneMore("1k")).isEqualTo("1001");
        assertThat(QuotaCount.oneMore("0")).isEqualTo("1");
        assertThatThrownBy(() -> QuotaCount.oneMore("lots")).isInstanceOf(IllegalArgumentException.class);
    }
}
