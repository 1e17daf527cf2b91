package org.jupyterhub.kubespawner.operator.runtime;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jupyterhub.kubespawner.templating.core.KubernetesNames;

/**
 * One operator setting, declared once (like Strimzi's {@code ConfigParameter} or Flink's {@code ConfigOption}): its
 * command-line flag, environment variable, type (how its text is read and checked), default, where the Helm chart
 * takes it from, and what it means. {@link OperatorConfig#parse}, {@code --help}, the table in docs/operator.md and
 * the chart's test all read these declarations ({@link OperatorSettings#ALL}).
 *
 * @param <T> the setting's type
 * @param flag the flag without its dashes: {@code --client-qps=300}
 * @param env the environment variable, {@code JNO_*}
 * @param defaultText the default as text, read like a given value; null when the default is not a constant
 * @param defaultNote what the default is when it is not a constant (e.g. {@code $HOSTNAME}); else null
 * @param chart where the chart's Deployment takes the setting from
 * @param meaning what it does, in Markdown (the docs' table; {@code --help} shows it without backquotes)
 * @param type reads and checks the text
 */
record Setting<T>(
        String flag, String env, String defaultText, String defaultNote, Chart chart, String meaning, Type<T> type) {

    /**
     * Validates the declaration.
     *
     * @param flag see {@link #flag()}
     * @param env see {@link #env()}
     * @param defaultText see {@link #defaultText()}
     * @param defaultNote see {@link #defaultNote()}
     * @param chart see {@link #chart()}
     * @param meaning see {@link #meaning()}
     * @param type see {@link #type()}
     */
    Setting {
        Objects.requireNonNull(flag, "flag");
        Objects.requireNonNull(chart, "chart");
        Objects.requireNonNull(meaning, "meaning");
        Objects.requireNonNull(type, "type");
        if (!env.startsWith("JNO_")) {
            throw new IllegalArgumentException(flag + ": environment variables are JNO_*, got " + env);
        }
        if ((defaultText == null) == (defaultNote == null)) {
            throw new IllegalArgumentException(flag + ": exactly one of defaultText and defaultNote");
        }
    }

    /** Reads a setting's text: returns the typed value or throws naming the setting and what is allowed. */
    @FunctionalInterface
    interface Type<T> {
        /**
         * @param flag the setting, for the message
         * @param text its value, trimmed, not blank
         * @return the value
         * @throws IllegalArgumentException naming the setting, the text and what is allowed
         */
        T read(String flag, String text);
    }

    /**
     * Where the chart's Deployment takes a setting from.
     *
     * @param value the path in values.yaml (e.g. {@code operator.clientQps}), or null when no value sets it
     * @param how how the environment variable is made from the value (null: it is the value as written), or what
     *     sets it when no value does
     */
    record Chart(String value, String how) {

        /** @return the environment variable is this value as written */
        static Chart value(String path) {
            return new Chart(path, null);
        }

        /** @return the environment variable is made from this value */
        static Chart derived(String path, String how) {
            return new Chart(Objects.requireNonNull(path), Objects.requireNonNull(how));
        }

        /** @return the chart sets the environment variable without a value of its own */
        static Chart fixed(String how) {
            return new Chart(null, Objects.requireNonNull(how));
        }

        /** @return whether the environment variable is the value itself */
        boolean verbatim() {
            return value != null && how == null;
        }
    }

    /**
     * The setting's value.
     *
     * @param given the settings given (flag name to trimmed text), flags over environment
     * @return the typed value, the default if none was given, or null if neither
     */
    T from(Map<String, String> given) {
        String text = given.getOrDefault(flag, defaultText);
        return text == null ? null : type.read(flag, text);
    }

    /** @return the default as {@code --help} and the docs show it */
    String shownDefault() {
        return defaultText != null ? defaultText : defaultNote;
    }

    // ---- the types -------------------------------------------------------------------------------------------

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    /** A whole number of at least {@code min} (1: "must be positive"). */
    static Type<Integer> atLeast(int min) {
        return (flag, text) -> {
            int v = wholeNumber(flag, text);
            if (v < min) {
                throw new IllegalArgumentException(
                        flag + " must be " + (min == 1 ? "positive" : "at least " + min) + ", got " + v);
            }
            return v;
        };
    }

    /** A port: -1 (off), 0 (any) or a port number. */
    static Type<Integer> port() {
        return (flag, text) -> {
            int v = wholeNumber(flag, text);
            if (v < -1 || v > 65535) {
                throw new IllegalArgumentException(flag + " must be -1 (off), 0 (any) or a port number, got " + v);
            }
            return v;
        };
    }

    /** {@code 90s}, {@code 5m}, {@code 1h}, {@code 500ms} or ISO-8601 ({@code PT5M}). */
    static Type<Duration> duration(boolean zeroAllowed) {
        return (flag, text) -> duration(flag, text, zeroAllowed);
    }

    /** One of the given words, in any case; returned in lower case. */
    static Type<String> oneOf(List<String> words) {
        return (flag, text) -> {
            String v = text.toLowerCase(Locale.ROOT);
            if (!words.contains(v)) {
                throw new IllegalArgumentException(
                        flag + " must be " + String.join(", ", words.subList(0, words.size() - 1)) + " or "
                                + words.get(words.size() - 1) + ", got '" + text + "'");
            }
            return v;
        };
    }

    /** Any text. */
    static Type<String> text() {
        return (flag, text) -> text;
    }

    /** Comma-separated names; blanks between commas are ignored. */
    static Type<Set<String>> names() {
        return (flag, text) -> {
            Set<String> names = new LinkedHashSet<>();
            for (String name : text.split(",")) {
                if (!name.isBlank()) {
                    names.add(name.trim());
                }
            }
            return Set.copyOf(names);
        };
    }

    /** A label, {@code key=value}, checked with Kubernetes' rules. */
    static Type<OperatorConfig.Label> label() {
        return (flag, text) -> {
            int eq = text.indexOf('=');
            String problem = eq < 0 ? "there is no '='" : KubernetesNames.checkQualifiedName(text.substring(0, eq));
            if (problem == null) {
                problem = KubernetesNames.checkLabelValue(text.substring(eq + 1));
            }
            if (problem != null) {
                throw new IllegalArgumentException(flag + " must be a label key=value, got '" + text + "': " + problem);
            }
            return new OperatorConfig.Label(text.substring(0, eq), text.substring(eq + 1));
        };
    }

    private static int wholeNumber(String flag, String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " must be a whole number, got '" + text + "'");
        }
    }

    /**
     * Parses {@code 90s}, {@code 5m}, {@code 1h}, {@code 500ms} or ISO-8601 ({@code PT5M}).
     *
     * @param flag the setting, for the error message
     * @param text the duration
     * @param zeroAllowed whether zero is allowed (else it must be positive)
     * @return the duration
     */
    static Duration duration(String flag, String text, boolean zeroAllowed) {
        Matcher m = DURATION.matcher(text);
        Duration d;
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            d = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        } else {
            try {
                d = Duration.parse(text);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(
                        flag + " must look like 500ms, 90s, 5m, 1h or PT5M, got '" + text + "'");
            }
        }
        if (d.isNegative() || (d.isZero() && !zeroAllowed)) {
            throw new IllegalArgumentException(
                    flag + " must be " + (zeroAllowed ? "zero or more" : "positive") + ", got '" + text + "'");
        }
        return d;
    }
}
