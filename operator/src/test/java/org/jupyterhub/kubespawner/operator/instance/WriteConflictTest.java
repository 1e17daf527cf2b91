package org.jupyterhub.kubespawner.operator.instance;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.Test;

/** A status write that lost a race is retried quietly, not reported to the user as a failed creation. */
class WriteConflictTest {

  @Test
  void conflictsAreRecognisedThroughWrappers() {
    var conflict = new KubernetesClientException("the object has been modified", 409, null);

    assertThat(InstanceReconciler.isWriteConflict(conflict)).isTrue();
    assertThat(InstanceReconciler.isWriteConflict(new IllegalStateException("status patch", conflict))).isTrue();
  }

  @Test
  void realFailuresAreNotConflicts() {
    assertThat(InstanceReconciler.isWriteConflict(new KubernetesClientException("exceeded quota", 403, null)))
        .isFalse();
    assertThat(InstanceReconciler.isWriteConflict(new KubernetesClientException("unavailable", 503, null)))
        .isFalse();
    assertThat(InstanceReconciler.isWriteConflict(new RuntimeException("boom"))).isFalse();
  }
}
