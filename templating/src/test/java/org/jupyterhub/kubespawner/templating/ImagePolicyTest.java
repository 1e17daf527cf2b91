package org.jupyterhub.kubespawner.templating;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ImagePolicyTest {

    @Test
    void singleStarStaysWithinOnePathSegment() {
        ImagePolicy policy = ImagePolicy.of(List.of("quay.io/jupyter/*"));
        assertThat(policy.allows("quay.io/jupyter/scipy-notebook:2025-03-14")).isTrue();
        assertThat(policy.allows("quay.io/jupyter/base-notebook@sha256:0123abcd"))
                .isTrue();
        assertThat(policy.allows("quay.io/jupyter/nested/image:1")).isFalse();
        assertThat(policy.allows("quay.io/jupyterx/image:1")).isFalse();
        assertThat(policy.allows("evil.io/quay.io/jupyter/image:1")).isFalse();
    }

    @Test
    void doubleStarMatchesAnything() {
        assertThat(ImagePolicy.of(List.of("**")).allows("any.registry/a/b/c:d")).isTrue();
        assertThat(ImagePolicy.of(List.of("quay.io/**")).allows("quay.io/a/b/c:d"))
                .isTrue();
        assertThat(ImagePolicy.of(List.of("quay.io/**")).allows("docker.io/quay.io/x"))
                .isFalse();
    }

    @Test
    void everythingElseIsLiteral() {
        ImagePolicy policy = ImagePolicy.of(List.of("quay.io/jupyterhub/k8s-singleuser-sample:4.2.0", "a.b/(x)+?:1"));
        assertThat(policy.allows("quay.io/jupyterhub/k8s-singleuser-sample:4.2.0"))
                .isTrue();
        assertThat(policy.allows("quayXio/jupyterhub/k8s-singleuser-sample:4.2.0"))
                .isFalse();
        assertThat(policy.allows("quay.io/jupyterhub/k8s-singleuser-sample:4.2.01"))
                .isFalse();
        assertThat(policy.allows("a.b/(x)+?:1")).isTrue();
        assertThat(policy.allows("a.b/xx:1")).isFalse();
    }

    @Test
    void tagPatterns() {
        ImagePolicy policy = ImagePolicy.of(List.of("quay.io/jupyter/scipy-notebook:2025-*"));
        assertThat(policy.allows("quay.io/jupyter/scipy-notebook:2025-03-14")).isTrue();
        assertThat(policy.allows("quay.io/jupyter/scipy-notebook:2024-12-01")).isFalse();
        assertThat(policy.allows("quay.io/jupyter/scipy-notebook")).isFalse();
    }

    @Test
    void emptyPolicyAllowsNothing() {
        ImagePolicy policy = ImagePolicy.of(null);
        assertThat(policy.patterns()).isEmpty();
        assertThat(policy.allows("anything")).isFalse();
        assertThat(ImagePolicy.of(List.of("**")).allows(null)).isFalse();
        assertThat(policy.denial("x")).contains("'x'").contains("allowedImages are []");
    }
}
