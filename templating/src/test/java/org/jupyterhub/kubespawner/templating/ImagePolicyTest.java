package org.jupyterhub.kubespawner.templating;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.jupyterhub.kubespawner.templating.core.ErrorKind;
import org.jupyterhub.kubespawner.templating.core.TemplateError;

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

    @Test
    void everyContainerListOfARenderedPodSpecIsChecked() {
        PodSpec spec = new PodSpecBuilder()
                .addNewContainer()
                .withName("ok")
                .withImage("quay.io/jupyter/base:1")
                .endContainer()
                .addNewContainer()
                .withName("no-image")
                .endContainer()
                .addNewInitContainer()
                .withName("init")
                .withImage("evil.io/x")
                .endInitContainer()
                .addNewEphemeralContainer()
                .withName("debug")
                .withImage("busybox")
                .endEphemeralContainer()
                .build();
        List<TemplateError> errors = new ArrayList<>();

        ImagePolicy.of(List.of("quay.io/jupyter/*")).checkImages(spec, "pods[2].spec", errors);

        assertThat(errors)
                .extracting(TemplateError::path, TemplateError::kind)
                .containsExactly(
                        tuple("pods[2].spec.containers[1].image", ErrorKind.IMAGE_NOT_ALLOWED),
                        tuple("pods[2].spec.initContainers[0].image", ErrorKind.IMAGE_NOT_ALLOWED),
                        tuple("pods[2].spec.ephemeralContainers[0].image", ErrorKind.IMAGE_NOT_ALLOWED));
        assertThat(errors.get(1).message()).contains("'evil.io/x'").contains("[quay.io/jupyter/*]");
    }

    @Test
    void onlyConstantImagesAreJudgedBeforeRendering() throws Exception {
        JsonNode spec = new ObjectMapper().readTree("""
                {"containers": [{"image": "evil.io/x"}, {"image": "{image}"}, {"image": "quay.io/other/a{{b}}"}],
                 "initContainers": [{"image": "quay.io/jupyter/init"}],
                 "ephemeralContainers": [{"image": "quay.io/{repo}/x"}, {"image": "busybox"}]}""");
        List<TemplateError> problems = new ArrayList<>();

        ImagePolicy.of(List.of("quay.io/jupyter/*")).checkConstantImages(spec, "pods[0].spec", problems);

        assertThat(problems)
                .extracting(TemplateError::path)
                .containsExactly(
                        "pods[0].spec.containers[0].image",
                        "pods[0].spec.containers[2].image",
                        "pods[0].spec.ephemeralContainers[1].image");
        assertThat(problems.get(1).message()).contains("'quay.io/other/a{b}'");
    }
}
