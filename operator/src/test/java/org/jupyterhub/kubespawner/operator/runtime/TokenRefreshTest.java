package org.jupyterhub.kubespawner.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.AuthProviderConfigBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.http.StandardHttpClientBuilder;
import io.fabric8.kubernetes.client.utils.TokenRefreshInterceptor;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TokenRefreshTest {

    private static ConfigBuilder local() {
        return new ConfigBuilder(Config.empty()).withMasterUrl("https://127.0.0.1:6443");
    }

    @Test
    void certificateCredentialsHaveNothingToRefresh() {
        assertThat(TokenRefresh.nothingToRefresh(local().withClientCertFile("/pki/operator.crt")
                        .withClientKeyFile("/pki/operator.key")
                        .build()))
                .isTrue();
    }

    @Test
    void tokensPasswordsAndProvidersKeepTheRefresh() {
        Config inCluster = local().build();
        inCluster.setAutoOAuthToken("service-account-token");

        assertThat(TokenRefresh.nothingToRefresh(
                        local().withOauthToken("user-token").build()))
                .isFalse();
        assertThat(TokenRefresh.nothingToRefresh(inCluster)).isFalse();
        assertThat(TokenRefresh.nothingToRefresh(
                        local().withUsername("admin").withPassword("secret").build()))
                .isFalse();
        assertThat(TokenRefresh.nothingToRefresh(
                        local().withOauthTokenProvider(() -> "t").build()))
                .isFalse();
        assertThat(TokenRefresh.nothingToRefresh(local().withAuthProvider(
                                new AuthProviderConfigBuilder().withName("oidc").build())
                        .build()))
                .isFalse();
    }

    @Test
    void theOperatorsClientDropsTheRefreshOnlyForCertificateCredentials() {
        assertThat(interceptors(local().withClientCertFile("/pki/operator.crt").build())
                        .get(TokenRefreshInterceptor.NAME))
                .isNotInstanceOf(TokenRefreshInterceptor.class);
        assertThat(interceptors(local().withOauthToken("user-token").build()).get(TokenRefreshInterceptor.NAME))
                .isInstanceOf(TokenRefreshInterceptor.class);
    }

    /** The interceptors of the HTTP client NotebookOperator.client builds (read from a builder derived from it). */
    private static Map<String, Interceptor> interceptors(Config base) {
        try (KubernetesClient client = NotebookOperator.client(base, OperatorConfig.parse(Map.of(), new String[0]))) {
            StandardHttpClientBuilder<?, ?, ?> derived =
                    (StandardHttpClientBuilder<?, ?, ?>) client.getHttpClient().newBuilder();
            assertThat(derived.getInterceptors()).containsKey("jno-rate-limit");
            return Map.copyOf(derived.getInterceptors());
        }
    }
}
