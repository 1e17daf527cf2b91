package org.jupyterhub.kubespawner.events;

import io.fabric8.kubernetes.api.model.ObjectReference;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What makes two occurrences "the same event" for aggregation: the regarding and related objects, type, reason,
 * action and note. The regarding object's resourceVersion is deliberately left out (unlike client-go), because a
 * controller's object changes between reconciles and a repeated decision about it is still the same event.
 */
record EventKey(String regarding, String related, String type, String reason, String action, String note) {

    static EventKey of(Occurrence occurrence) {
        return new EventKey(
                identity(occurrence.regarding()),
                identity(occurrence.related()),
                occurrence.type().apiValue(),
                occurrence.reason(),
                occurrence.action(),
                occurrence.note());
    }

    /** The uid when there is one (it survives renames and tells a recreated object apart), else the coordinates. */
    private static String identity(ObjectReference reference) {
        if (reference == null) {
            return "";
        }
        if (reference.getUid() != null && !reference.getUid().isEmpty()) {
            return "uid:" + reference.getUid();
        }
        return String.join(
                "/",
                String.valueOf(reference.getApiVersion()),
                String.valueOf(reference.getKind()),
                String.valueOf(reference.getNamespace()),
                reference.getName());
    }

    /**
     * 16 hex chars of SHA-256 over this key, the reporting controller and the aggregation window it started in.
     * Length-prefixing every field keeps {@code ("a\nb", "c")} and {@code ("a", "b\nc")} apart.
     */
    String hash(String reportingController, long window) {
        StringBuilder canonical = new StringBuilder();
        for (String field :
                new String[] {reportingController, regarding, related, type, reason, action, note, Long.toString(window)
                }) {
            canonical.append(field.length()).append(':').append(field).append(';');
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JRE has SHA-256", e);
        }
    }
}
