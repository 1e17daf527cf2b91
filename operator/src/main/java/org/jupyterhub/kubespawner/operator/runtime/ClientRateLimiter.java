package org.jupyterhub.kubespawner.operator.runtime;

import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;

/**
 * A client-side token bucket (like client-go's QPS/burst) on the fabric8 client. fabric8 has no rate limit of its
 * own; this one exists so a burst of thousands of spawns cannot overrun the API server, with defaults high enough
 * (200/400) not to delay status at burst, unlike the QPS 20 that slowed Kubeflow. Watches are not limited: they
 * are long-lived and opened rarely.
 */
final class ClientRateLimiter implements Interceptor {

  private final double perNano;
  private final double burst;
  private double tokens;
  private long last;

  ClientRateLimiter(int qps, int burst) {
    this.perNano = qps / 1e9;
    this.burst = burst;
    this.tokens = burst;
    this.last = System.nanoTime();
  }

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    String query = request.uri().getRawQuery();
    if (query != null && query.contains("watch=true")) {
      return;
    }
    long waitNanos = reserve();
    if (waitNanos > 0) {
      try {
        Thread.sleep(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Takes a token, possibly going into debt; returns how long the caller must wait for it. */
  synchronized long reserve() {
    long now = System.nanoTime();
    tokens = Math.min(burst, tokens + (now - last) * perNano);
    last = now;
    tokens -= 1;
    return tokens >= 0 ? 0 : (long) (-tokens / perNano);
  }
}
