package org.jupyterhub.kubespawner.templating.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A Kubernetes syntax rule for the strings at some place of a templated document, checked after substitution
 * (and at compile time for text without placeholders).
 *
 * @param pattern where the rule applies, relative to the compiled root: dot-separated field names, {@code *} for
 *     any field, {@code [*]} after a segment for every element of an array, e.g. {@code spec.containers[*].name}
 *     or {@code metadata.labels}; the empty string is the root itself
 * @param check what the strings there must satisfy
 */
public record FieldRule(String pattern, Check check) {

    /** The available checks. */
    public enum Check {
        /** The string is a DNS-1123 label (container names, most object names). */
        DNS1123_LABEL,
        /** The string is a DNS-1123 subdomain (Pod, PVC, NetworkPolicy names). */
        DNS1123_SUBDOMAIN,
        /** The string is a DNS-1035 label (Service names). */
        DNS1035_LABEL,
        /** The string is a resource quantity ({@code 2}, {@code 500m}, {@code 1.5Gi}, {@code 1e3}). */
        QUANTITY,
        /**
         * Not a check but a conversion for int-or-string fields (ports): templated text that renders to digits only
         * becomes a JSON number, so {@code targetPort: "{port}"} with {@code port=8888} means port 8888, not a port
         * named "8888" (which Kubernetes would reject: a port name needs a letter).
         */
        INT_OR_STRING,
        /** The place is a map of labels: keys are qualified names, values are label values. */
        LABELS,
        /** The place is a map of annotations: keys are qualified names, total size at most 256 KiB. */
        ANNOTATIONS
    }

    /**
     * Validates the components.
     *
     * @param pattern see {@link #pattern()}
     * @param check see {@link #check()}
     */
    public FieldRule {
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(check, "check");
    }

    /** Parsed form of {@link #pattern()}: a String is a field name ("*" any), ANY_INDEX matches any array index. */
    List<Object> segments() {
        List<Object> segments = new ArrayList<>();
        if (pattern.isEmpty()) {
            return segments;
        }
        for (String part : pattern.split("\\.")) {
            String field = part;
            int arrays = 0;
            while (field.endsWith("[*]")) {
                field = field.substring(0, field.length() - 3);
                arrays++;
            }
            if (!field.isEmpty()) {
                segments.add(field);
            }
            for (int i = 0; i < arrays; i++) {
                segments.add(ANY_INDEX);
            }
        }
        return segments;
    }

    /** Marker segment for {@code [*]}. */
    static final Object ANY_INDEX = new Object() {
        @Override
        public String toString() {
            return "[*]";
        }
    };

    /** Whether the concrete path (field names as String, indices as Integer) matches the parsed segments. */
    static boolean matches(List<Object> segments, List<Object> path) {
        if (segments.size() != path.size()) {
            return false;
        }
        for (int i = 0; i < segments.size(); i++) {
            Object want = segments.get(i);
            Object have = path.get(i);
            boolean ok = want == ANY_INDEX
                    ? have instanceof Integer
                    : have instanceof String && ("*".equals(want) || want.equals(have));
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
