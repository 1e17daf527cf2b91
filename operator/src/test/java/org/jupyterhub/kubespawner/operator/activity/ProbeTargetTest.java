package org.jupyterhub.kubespawner.operator.activity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** The probe's token goes to the pod's own address whatever the hub puts into the instance's base path. */
class ProbeTargetTest {

    @Test
    void aRelativePathIsResolvedAgainstTheServersBasePath() {
        assertThat(ProbeTarget.uri("10.1.2.3", 8888, null, "/user/ada/"))
                .isEqualTo(URI.create("http://10.1.2.3:8888/user/ada/api/status"));
        assertThat(ProbeTarget.uri("10.1.2.3", 8888, "api/status", "/user/ada/gpu"))
                .isEqualTo(URI.create("http://10.1.2.3:8888/user/ada/gpu/api/status"));
        assertThat(ProbeTarget.uri("10.1.2.3", 8888, null, null))
                .isEqualTo(URI.create("http://10.1.2.3:8888/api/status"));
        assertThat(ProbeTarget.uri("10.1.2.3", 9000, "/healthz/activity", "/user/ada/"))
                .as("an absolute path is the admin's")
                .isEqualTo(URI.create("http://10.1.2.3:9000/healthz/activity"));
    }

    @Test
    void anIpv6PodIsBracketed() {
        assertThat(ProbeTarget.uri("fd00::7", 8888, null, "/user/ada/").toString())
                .isEqualTo("http://[fd00::7]:8888/user/ada/api/status");
    }

    @Test
    void noBasePathCanSendTheTokenToAnotherHost() {
        for (String hostile : new String[] {
            "@evil.example/", "//evil.example/", "http://evil.example/", "/../../@evil.example:80/", "?x=@evil/#"
        }) {
            URI uri = ProbeTarget.uri("10.1.2.3", 8888, null, hostile);
            assertThat(uri.getHost()).as(hostile).isEqualTo("10.1.2.3");
            assertThat(uri.getPort()).as(hostile).isEqualTo(8888);
            assertThat(uri.getRawQuery()).as(hostile).isNull();
            assertThat(uri.getRawFragment()).as(hostile).isNull();
        }
    }

    @Test
    void anAddressThatIsNoHostIsRefused() {
        assertThatThrownBy(() -> ProbeTarget.uri("not an ip", 8888, null, null))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
