package org.jupyterhub.kubespawner.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Utf8Test {

    private static int bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    @Test
    void keepsTextThatFits() {
        String exactly = "a".repeat(1024);
        assertThat(Utf8.truncate(exactly, 1024, Utf8.ELLIPSIS)).isSameAs(exactly);
        String twoByteChars = "é".repeat(512); // 1024 bytes although 512 chars
        assertThat(Utf8.truncate(twoByteChars, 1024, Utf8.ELLIPSIS)).isSameAs(twoByteChars);
    }

    @Test
    void countsBytesNotChars() {
        String note = "é".repeat(600); // 600 chars, 1200 bytes
        String cut = Utf8.truncate(note, 1024, Utf8.ELLIPSIS);
        assertThat(bytes(cut)).isLessThanOrEqualTo(1024);
        assertThat(cut).endsWith(Utf8.ELLIPSIS).startsWith("é".repeat(510));
        assertThat(cut).hasSize(510 + 1); // 1021 bytes of room for the 3-byte marker, 2 bytes per é
    }

    @Test
    void neverSplitsASurrogatePair() {
        String note = "x" + "\uD83D\uDE80".repeat(400); // one ASCII byte, then 4-byte rockets
        String cut = Utf8.truncate(note, 1024, Utf8.ELLIPSIS);
        assertThat(bytes(cut)).isLessThanOrEqualTo(1024);
        String body = cut.substring(0, cut.length() - 1);
        assertThat(body.codePoints().skip(1)).containsOnly(0x1F680);
        assertThat(Character.isHighSurrogate(body.charAt(body.length() - 1))).isFalse();
        assertThat(body.codePointCount(0, body.length())).isEqualTo(1 + (1021 - 1) / 4);
    }

    @Test
    void truncatesWithoutMarker() {
        assertThat(Utf8.truncate("Reason".repeat(30), 128, "")).hasSize(128).startsWith("ReasonReason");
    }
}
