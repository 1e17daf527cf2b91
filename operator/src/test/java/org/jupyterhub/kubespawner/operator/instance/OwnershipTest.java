package org.jupyterhub.kubespawner.operator.instance;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OwnershipTest {

    private static final Ownership.Claimant ADA = new Ownership.Claimant("jupyter-ada", "uid-1", "ada@example.org");

    private static PersistentVolumeClaim claim(Map<String, String> labels, Map<String, String> annotations) {
        return new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withName("claim-ada")
                .withLabels(labels)
                .withAnnotations(annotations)
                .endMetadata()
                .build();
    }

    private static DesiredObject desiredClaim(Map<String, String> labels, Map<String, String> annotations) {
        return new DesiredObject(claim(labels, annotations), true);
    }

    private static final Map<String, String> OURS = Map.of(
            "app.kubernetes.io/managed-by", "jupyter-notebook-operator",
            "kubespawner.jupyterhub.org/instance", "jupyter-ada");

    @Test
    void aClaimStampedBeforeTemplatesNamedAnIdentityIsStillItsInstances() {
        assertThat(Ownership.judge(claim(OURS, Map.of()), desiredClaim(Map.of(), Map.of()), ADA, false))
                .isInstanceOf(Ownership.Verdict.Mine.class);
    }

    @Test
    void aClaimOfThisInstanceBeingDeletedIsAwaited() {
        PersistentVolumeClaim going = claim(OURS, Map.of(Ownership.USER_IDENTITY, "ada@example.org"));
        going.getMetadata().setDeletionTimestamp("2026-01-01T00:00:00Z");
        assertThat(Ownership.judge(going, desiredClaim(Map.of(), Map.of()), ADA, false))
                .isInstanceOf(Ownership.Verdict.Leftover.class);
    }

    @Test
    void kubeSpawnerClaimsBeforeItsManagedByLabelAreKnownByHeritageAndMatchedByLabelWithoutAnnotations() {
        PersistentVolumeClaim old = claim(
                Map.of("component", "singleuser-storage", "heritage", "jupyterhub", "hub.jupyter.org/username", "ada"),
                Map.of());
        assertThat(Ownership.judge(old, desiredClaim(Map.of("hub.jupyter.org/username", "ada"), Map.of()), ADA, true))
                .isInstanceOf(Ownership.Verdict.Adopted.class);
        assertThat(Ownership.judge(old, desiredClaim(Map.of("hub.jupyter.org/username", "eve"), Map.of()), ADA, true))
                .isInstanceOf(Ownership.Verdict.Conflict.class);
    }

    @Test
    void anOwnedClaimOfAnotherToolIsNeverAdopted() {
        PersistentVolumeClaim owned = claim(
                Map.of("component", "singleuser-storage", "app.kubernetes.io/managed-by", "kubespawner"),
                Map.of("hub.jupyter.org/username", "ada@example.org"));
        owned.getMetadata()
                .setOwnerReferences(java.util.List.of(new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder()
                        .withKind("StatefulSet")
                        .withName("other")
                        .withUid("x")
                        .withController(true)
                        .build()));
        assertThat(Ownership.judge(
                        owned,
                        desiredClaim(Map.of(), Map.of("hub.jupyter.org/username", "ada@example.org")),
                        ADA,
                        true))
                .isInstanceOfSatisfying(
                        Ownership.Verdict.Conflict.class,
                        c -> assertThat(c.message()).contains("controlled by StatefulSet other"));
    }

    @Test
    void anUnlabelledObjectHasNoOwnerAndSaysSo() {
        assertThat(Ownership.judge(claim(Map.of(), Map.of()), desiredClaim(Map.of(), Map.of()), ADA, true))
                .isInstanceOfSatisfying(
                        Ownership.Verdict.Conflict.class,
                        c -> assertThat(c.message()).contains("PersistentVolumeClaim claim-ada", "has no owner"));
    }
}
