package org.jupyterhub.kubespawner.events;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Cuts strings to a limit in UTF-8 bytes, because that is how the API server measures {@code note}, {@code reason}
 * and {@code action} (Go's {@code len}), while Java counts UTF-16 chars.
 */
final class Utf8 {

    /** Marks a truncated note; three bytes in UTF-8. */
    static final String ELLIPSIS = "\u2026";

    private Utf8() {}

    /**
     * {@code text} itself if it fits in {@code maxBytes}, else its longest prefix that fits together with
     * {@code marker}, followed by {@code marker}. Never splits a character (or a surrogate pair).
     */
    static String truncate(String text, int maxBytes, String marker) {
        if (fits(text, maxBytes)) {
            return text;
        }
        int room = maxBytes - marker.getBytes(StandardCharsets.UTF_8).length;
        CharBuffer in = CharBuffer.wrap(text);
        // The encoder stops before the first character that does not fit whole; encoding only `room` bytes keeps this
        // cheap even for a megabyte of note.
        encoder().encode(in, ByteBuffer.allocate(Math.max(room, 0)), true);
        return text.substring(0, in.position()) + marker;
    }

    private static boolean fits(String text, int maxBytes) {
        if (text.length() * 3L <= maxBytes) {
            return true; // a UTF-16 char never takes more than 3 bytes (a pair takes 4 for 2 chars)
        }
        if (text.length() > maxBytes) {
            return false; // every char takes at least one byte
        }
        return !encoder()
                .encode(CharBuffer.wrap(text), ByteBuffer.allocate(maxBytes), true)
                .isOverflow();
    }

    private static CharsetEncoder encoder() {
        return StandardCharsets.UTF_8
                .newEncoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
    }
}
