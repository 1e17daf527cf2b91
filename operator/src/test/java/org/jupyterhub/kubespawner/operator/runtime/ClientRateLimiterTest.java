package org.jupyterhub.kubespawner.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClientRateLimiterTest {

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
        assertThat(limiter.bucketFor(events).reserve(System.nanoTime())).isZero();
        assertThat(limiter.bucketFor(events).reserve(System.nanoTime())).isZero();
        assertThat(limiter.bucketFor(events).reserve(System.nanoTime())).isPositive();
        assertThat(limiter.bucketFor(pods).reserve(System.nanoTime())).isZero();
        assertThat(limiter.bucketFor(pods).reserve(System.nanoTime())).isPositive();
    }
}
