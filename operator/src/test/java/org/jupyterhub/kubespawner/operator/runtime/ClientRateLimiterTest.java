package org.jupyterhub.kubespawner.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClientRateLimiterTest {

    @Test
    void burstPassesAtOnceThenRequestsWaitForTheRate() {
        ClientRateLimiter.TokenBucket bucket = new ClientRateLimiter.TokenBucket(1, 3);

        assertThat(bucket.reserve()).isZero();
        assertThat(bucket.reserve()).isZero();
        assertThat(bucket.reserve()).isZero();
        long fourth = bucket.reserve();
        long fifth = bucket.reserve();

        // At one request a second, the 4th waits about a second and the 5th about two.
        assertThat(fourth).isBetween(500_000_000L, 1_000_000_000L);
        assertThat(fifth).isBetween(fourth + 500_000_000L, 2_000_000_000L);
    }

    @Test
    void eventWritesDrawFromTheirOwnBucket() {
        ClientRateLimiter limiter = new ClientRateLimiter(1, 1, 1, 2);
        String events = "/apis/events.k8s.io/v1/namespaces/hub/events";
        String pods = "/api/v1/namespaces/hub/pods";

        assertThat(limiter.bucketFor(events)).isNotSameAs(limiter.bucketFor(pods));
        assertThat(limiter.bucketFor(pods))
                .isSameAs(limiter.bucketFor(
                        "/apis/kubespawner.jupyterhub.org/v1/namespaces/hub/jupyternotebookinstances/a/status"));
        // Spending the Event budget leaves the spawns' budget whole, and the other way round.
        assertThat(limiter.bucketFor(events).reserve()).isZero();
        assertThat(limiter.bucketFor(events).reserve()).isZero();
        assertThat(limiter.bucketFor(events).reserve()).isPositive();
        assertThat(limiter.bucketFor(pods).reserve()).isZero();
        assertThat(limiter.bucketFor(pods).reserve()).isPositive();
    }
}
