package org.jupyterhub.kubespawner.operator.runtime;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.utils.TokenRefreshInterceptor;

/**
 * Keeps fabric8's token refresh off credentials that have no token.
 *
 * <p>fabric8 7.5's {@link TokenRefreshInterceptor} refreshes the token once a minute by re-reading the whole
 * kubeconfig (or in-cluster files), but it notes the time only when the refresh found a token. With a client
 * certificate (kubeconfigs of kind, k3d, kubeadm admins, the local control plane) it never finds one, so after the
 * first minute it re-reads and re-parses the kubeconfig before every request: milliseconds of CPU each, a good part
 * of the operator's CPU in a burst of spawns. A certificate has nothing to refresh (the TLS context is built once),
 * so for such credentials the interceptor is replaced by one that does nothing. Service account tokens (in
 * cluster), exec plugins and auth providers yield a token and keep fabric8's refresh; so does basic auth, whose
 * header the same interceptor sets.
 */
final class TokenRefresh {

    private static final Interceptor NONE = new Interceptor() {};

    private TokenRefresh() {}

    /** Whether the credentials hold nothing fabric8's interceptor could refresh or send: no token, no password. */
    static boolean nothingToRefresh(Config config) {
        return isEmpty(config.getOauthToken())
                && isEmpty(config.getAutoOAuthToken())
                && config.getOauthTokenProvider() == null
                && config.getAuthProvider() == null
                && isEmpty(config.getUsername())
                && isEmpty(config.getPassword());
    }

    /** Replaces fabric8's token refresh on {@code builder} when {@code config} has {@link #nothingToRefresh}. */
    static void skipWhenNothingToRefresh(Config config, HttpClient.Builder builder) {
        if (nothingToRefresh(config)) {
            builder.addOrReplaceInterceptor(TokenRefreshInterceptor.NAME, NONE);
        }
    }

    private static boolean isEmpty(String value) {
        return value == null || value.isEmpty();
    }
}
