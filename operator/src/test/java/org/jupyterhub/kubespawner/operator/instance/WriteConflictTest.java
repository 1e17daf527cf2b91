package org.jupyterhub.kubespawner.operator.instance;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.Test;

/**
 * A status write that lost a race is retried quietly, and one that found its instance deleted is dropped: neither is
 * reported to the user as a failed creation.
 */
class WriteConflictTest {

    @Test
    void conflictsAreRecognisedThroughWrappers() {
        var conflict = new KubernetesClientException("the object has been modified", 409, null);

        assertThat(InstanceReconciler.isWriteConflict(conflict)).isTrue();
        assertThat(InstanceReconciler.isWriteConflict(new IllegalStateException("status patch", conflict)))
                .isTrue();
    }

    @Test
    void realFailuresAreNotConflicts() {
        assertThat(InstanceReconciler.isWriteConflict(new KubernetesClientException("exceeded quota", 403, null)))
                .isFalse();
        assertThat(InstanceReconciler.isWriteConflict(new KubernetesClientException("unavailable", 503, null)))
                .isFalse();
        assertThat(InstanceReconciler.isWriteConflict(new RuntimeException("boom")))
                .isFalse();
    }

    @Test
    void aWriteThatFoundItsObjectGoneIsRecognisedThroughWrappers() {
        var gone = new KubernetesClientException("jupyternotebookinstances \"ada\" not found", 404, null);

        assertThat(InstanceReconciler.isNotFound(new IllegalStateException("status patch", gone)))
                .isTrue();
        assertThat(InstanceReconciler.isNotFound(new KubernetesClientException("conflict", 409, null)))
                .isFalse();
        assertThat(InstanceReconciler.isNotFound(new RuntimeException("boom"))).isFalse();
    }
}
