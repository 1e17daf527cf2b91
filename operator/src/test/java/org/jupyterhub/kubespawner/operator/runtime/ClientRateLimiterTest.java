package org.jupyterhub.kubespawner.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClientRateLimiterTest {

  @Test
  void burstPassesAtOnceThenRequestsWaitForTheRate() {
    ClientRateLimiter limiter = new ClientRateLimiter(1, 3);

    assertThat(limiter.reserve()).isZero();
    assertThat(limiter.reserve()).isZero();
    assertThat(limiter.reserve()).isZero();
    long fourth = limiter.reserve();
    long fifth = limiter.reserve();

    // At one request a second, the 4th waits about a second and the 5th about two.
    assertThat(fourth).isBetween(500_000_000L, 1_000_000_000L);
    assertThat(fifth).isBetween(fourth + 500_000_000L, 2_000_000_000L);
  }
}
