package org.jupyterhub.kubespawner.templating.slug;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.jupyterhub.kubespawner.templating.core.KubernetesNames;

/**
 * Compares the port with vectors produced by jupyterhub-kubespawner 7.1.0 itself (kubespawner/slugs.py and
 * KubeSpawner._expand_user_properties run in a throwaway virtualenv; see the "source" field of the file).
 */
class KubeSpawnerSlugsTest {

    private static final JsonNode VECTORS = load();

    /** The four non-ASCII letters Python's case-insensitive [a-z] accepts; see KubeSpawnerSlugs' Javadoc. */
    private static boolean hasPythonIgnoreCaseQuirk(String s) {
        return s.chars().anyMatch(c -> c == 0x130 || c == 0x131 || c == 0x17f || c == 0x212a);
    }

    private static JsonNode load() {
        try (InputStream in = KubeSpawnerSlugsTest.class.getResourceAsStream("/kubespawner-slug-vectors.json")) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Stream<Arguments> single() {
        List<Arguments> cases = new ArrayList<>();
        VECTORS.get("single").forEach(v -> cases.add(Arguments.of(v.get("name").asText(), v)));
        return cases.stream();
    }

    static Stream<Arguments> userServer() {
        List<Arguments> cases = new ArrayList<>();
        VECTORS.get("userServer")
                .forEach(v -> cases.add(Arguments.of(
                        v.get("username").asText(), v.get("servername").asText(), v.get("expected"))));
        return cases.stream();
    }

    @Test
    void vectorsCameFromKubeSpawner71() {
        assertThat(VECTORS.get("source").asText()).startsWith("jupyterhub-kubespawner 7.1.0");
        assertThat(VECTORS.get("single").size()).isGreaterThan(100);
        assertThat(VECTORS.get("userServer").size()).isGreaterThan(200);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("single")
    void singleNameFunctionsMatchKubeSpawner(String name, JsonNode expected) {
        assertThat(KubeSpawnerSlugs.safeSlug(name))
                .isEqualTo(expected.get("safe_slug").asText());
        assertThat(KubeSpawnerSlugs.safeSlug(name, KubeSpawnerSlugs::isValidObjectName, 48))
                .isEqualTo(expected.get("safe_slug_48").asText());
        assertThat(KubeSpawnerSlugs.escapeSlug(name))
                .isEqualTo(expected.get("escape_slug").asText());
        assertThat(KubeSpawnerSlugs.stripAndHash(name, 12))
                .isEqualTo(expected.get("strip_and_hash_12").asText());
        assertThat(KubeSpawnerSlugs.isValidObjectName(name))
                .isEqualTo(expected.get("is_valid_object_name").asBoolean());
        assertThat(KubeSpawnerSlugs.multiSlug(List.of(name, "srv"), 48))
                .isEqualTo(expected.get("multi_slug_2_48").asText());
        if (hasPythonIgnoreCaseQuirk(name)) {
            assertThat(KubeSpawnerSlugs.isValidLabel(name)).isFalse();
            assertThat(KubernetesNames.checkLabelValue(KubeSpawnerSlugs.safeLabelSlug(name)))
                    .isNull();
        } else {
            assertThat(KubeSpawnerSlugs.safeLabelSlug(name))
                    .isEqualTo(expected.get("safe_label_slug").asText());
            assertThat(KubeSpawnerSlugs.isValidLabel(name))
                    .isEqualTo(expected.get("is_valid_label").asBoolean());
        }
    }

    @ParameterizedTest(name = "[{index}] {0} / {1}")
    @MethodSource("userServer")
    void userFieldsMatchKubeSpawner(String username, String servername, JsonNode expected) {
        KubeSpawnerNames names = KubeSpawnerNames.of(username, servername);
        Map<String, String> variables = names.asVariables();
        expected.properties().forEach(field -> {
            String key = field.getKey();
            if (key.equals("usernameLabel") || key.equals("servernameLabel")) {
                String actual = key.equals("usernameLabel") ? names.usernameLabel() : names.servernameLabel();
                String source = key.equals("usernameLabel") ? username : servername;
                if (!hasPythonIgnoreCaseQuirk(source)) {
                    assertThat(actual).as(key).isEqualTo(field.getValue().asText());
                }
            } else {
                assertThat(variables)
                        .as(key)
                        .containsEntry(key, field.getValue().asText());
            }
        });
    }

    @ParameterizedTest(name = "[{index}] {0} / {1}")
    @MethodSource("userServer")
    void userFieldsAreValidKubernetesNames(String username, String servername, JsonNode ignored) {
        KubeSpawnerNames names = KubeSpawnerNames.of(username, servername);
        assertThat(names.userServer().length()).isLessThanOrEqualTo(KubeSpawnerSlugs.FIELD_MAX_LENGTH);
        assertThat(KubernetesNames.checkDns1123Label("claim-" + names.userServer()))
                .isNull();
        assertThat(KubernetesNames.checkLabelValue(names.usernameLabel())).isNull();
        assertThat(KubernetesNames.checkLabelValue(names.servernameLabel())).isNull();
    }

    @Test
    void defaultServerUserServerIsTheUsername() {
        KubeSpawnerNames names = KubeSpawnerNames.of("ada.lovelace@example.org", null);
        assertThat(names.userServer()).isEqualTo(names.username()).isEqualTo("ada-lovelace-example-org---7799473f");
        assertThat(names.servername()).isEmpty();
        assertThat(names.usernameLabel()).isEqualTo("ada-lovelace-example---7799473f");
    }

    @Test
    void tooShortLimitsAreRejectedLikeKubeSpawner() {
        assertThatThrownBy(() -> KubeSpawnerSlugs.stripAndHash("abc", 11))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("shorter than 12");
        assertThatThrownBy(() -> KubeSpawnerSlugs.multiSlug(List.of("a", "b", "c"), 20))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Not enough characters for 3 names");
    }
}
