package org.jupyterhub.kubespawner.templating.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KubernetesNamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "0", "jupyter-ada", "a-b-c", "123-abc"})
    void validDns1123Labels(String value) {
        assertThat(KubernetesNames.checkDns1123Label(value)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-a", "a-", "A", "a_b", "a.b", "ünï", "a b"})
    void invalidDns1123Labels(String value) {
        assertThat(KubernetesNames.checkDns1123Label(value)).contains("DNS-1123 label");
    }

    @Test
    void labelsAreAtMost63Characters() {
        assertThat(KubernetesNames.checkDns1123Label("a".repeat(63))).isNull();
        assertThat(KubernetesNames.checkDns1123Label("a".repeat(64))).contains("no more than 63");
        assertThat(KubernetesNames.checkDns1035Label("a".repeat(64))).contains("no more than 63");
        assertThat(KubernetesNames.checkLabelValue("a".repeat(63))).isNull();
        assertThat(KubernetesNames.checkLabelValue("a".repeat(64))).contains("no more than 63");
    }

    @Test
    void subdomainsAreDotSeparatedLabelsUpTo253() {
        assertThat(KubernetesNames.checkDns1123Subdomain("claim-ada.example")).isNull();
        assertThat(KubernetesNames.checkDns1123Subdomain("a..b")).contains("DNS-1123 subdomain");
        assertThat(KubernetesNames.checkDns1123Subdomain(".a")).contains("DNS-1123 subdomain");
        assertThat(KubernetesNames.checkDns1123Subdomain("Claim")).contains("DNS-1123 subdomain");
        assertThat(KubernetesNames.checkDns1123Subdomain("a".repeat(253))).isNull();
        assertThat(KubernetesNames.checkDns1123Subdomain("a".repeat(254))).contains("no more than 253");
    }

    @Test
    void dns1035LabelsStartWithALetter() {
        assertThat(KubernetesNames.checkDns1035Label("svc-1")).isNull();
        assertThat(KubernetesNames.checkDns1035Label("1svc")).contains("DNS-1035");
        assertThat(KubernetesNames.checkDns1035Label("")).contains("DNS-1035");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a", "Ada.Lovelace_1", "true", "x-1.2_3"})
    void validLabelValues(String value) {
        assertThat(KubernetesNames.checkLabelValue(value)).isNull();
        assertThat(KubernetesNames.isLabelValue(value)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"-a", "a-", "_a", "a@b", "a/b", "a b", "ünï"})
    void invalidLabelValues(String value) {
        assertThat(KubernetesNames.checkLabelValue(value)).contains("not a valid label value");
        assertThat(KubernetesNames.isLabelValue(value)).isFalse();
    }

    @Test
    void theBooleanChecksAgreeWithTheMessagesAtTheLengthLimit() {
        assertThat(KubernetesNames.isLabelValue("a".repeat(63))).isTrue();
        assertThat(KubernetesNames.isLabelValue("a".repeat(64))).isFalse();
        assertThat(KubernetesNames.isDns1035Label("s" + "1".repeat(62))).isTrue();
        assertThat(KubernetesNames.isDns1035Label("s" + "1".repeat(63))).isFalse();
        assertThat(KubernetesNames.isDns1035Label("1svc")).isFalse();
        assertThat(KubernetesNames.isDns1035Label("")).isFalse();
    }

    @Test
    void characterClassesAreAsciiOnly() {
        for (char c : "az09".toCharArray()) {
            assertThat(KubernetesNames.isLowerAlphanumeric(c)).as("%s", c).isTrue();
        }
        for (char c : "AZ".toCharArray()) {
            assertThat(KubernetesNames.isAlphanumeric(c) && !KubernetesNames.isLowerAlphanumeric(c))
                    .as("%s", c)
                    .isTrue();
        }
        for (char c : "-_.éÅ٣".toCharArray()) {
            assertThat(KubernetesNames.isAlphanumeric(c)).as("%s", c).isFalse();
        }
        assertThat(KubernetesNames.isLowerLetter('0')).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"app", "hub.jupyter.org/username", "app.kubernetes.io/name", "Example.com_x"})
    void validQualifiedNames(String key) {
        assertThat(KubernetesNames.checkQualifiedName(key)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/a", "a/", "Hub.org/a", "a/b/c", "-a", "hub.jupyter.org/-x"})
    void invalidQualifiedNames(String key) {
        assertThat(KubernetesNames.checkQualifiedName(key)).contains("not a valid key");
    }

    @Test
    void qualifiedNamePartIsAtMost63() {
        assertThat(KubernetesNames.checkQualifiedName("p.io/" + "a".repeat(63))).isNull();
        assertThat(KubernetesNames.checkQualifiedName("p.io/" + "a".repeat(64))).contains("no more than 63");
    }

    @Test
    void hugeValuesAreAbbreviatedInMessages() {
        assertThat(KubernetesNames.checkDns1123Label("x".repeat(10_000))).hasSizeLessThan(300);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "1",
                "0.5",
                ".5",
                "500m",
                "2Gi",
                "10Gi",
                "1G",
                "1e3",
                "1E3",
                "1E",
                "+1",
                "-1Ki",
                "100n",
                // odd but accepted by the API server's parser (empty number means 0; white space is trimmed):
                "Gi",
                "e3",
                "m",
                ".",
                "+",
                "5.",
                "1.e3",
                "1e+3",
                "1E-3",
                " 1",
                "1e30",
                "1e-30"
            })
    void validQuantities(String value) {
        assertThat(KubernetesNames.checkQuantity(value)).isNull();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                " ",
                "lots",
                "1 Gi",
                "1GB",
                "1.2.3",
                "1gi",
                "{mem}",
                "1e",
                "1Ki1",
                "0x1",
                "1_000",
                "1e3.5",
                "--1",
                "1KM",
                // deliberately stricter than the API server, which would spend minutes of CPU and gigabytes on these:
                "1e99999999999",
                "1e31",
                "1e-31",
                "1e2147483647"
            })
    void invalidQuantities(String value) {
        assertThat(KubernetesNames.checkQuantity(value)).contains("not a valid quantity");
    }

    @org.junit.jupiter.api.Test
    void quantitiesAreAtMost64Characters() {
        assertThat(KubernetesNames.checkQuantity("1".repeat(64))).isNull();
        assertThat(KubernetesNames.checkQuantity("1".repeat(65))).contains("at most 64 characters");
    }
}
