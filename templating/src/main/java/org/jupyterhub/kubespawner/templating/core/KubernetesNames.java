package org.jupyterhub.kubespawner.templating.core;

/**
 * Kubernetes' syntax rules for names, label keys and label values, as in {@code k8s.io/apimachinery/pkg/util/
 * validation}. Each check returns {@code null} when the text is valid, otherwise a sentence saying what is allowed
 * (wording close to the API server's so users recognise it). Hand-written instead of regexes: they run on every
 * render.
 */
public final class KubernetesNames {

    /** Maximum length of a DNS-1123 or DNS-1035 label, and of a label value. */
    public static final int LABEL_MAX_LENGTH = 63;
    /** Maximum length of a DNS-1123 subdomain. */
    public static final int SUBDOMAIN_MAX_LENGTH = 253;
    /** Maximum total size of an object's annotations (keys plus values), in bytes. */
    public static final int ANNOTATIONS_MAX_BYTES = 256 * 1024;

    private KubernetesNames() {}

    /**
     * DNS-1123 label: at most 63 characters of {@code [a-z0-9-]}, starting and ending with an alphanumeric.
     *
     * @param value the text to check
     * @return null if valid, else what is wrong
     */
    public static String checkDns1123Label(String value) {
        if (value.length() > LABEL_MAX_LENGTH) {
            return tooLong(value, LABEL_MAX_LENGTH);
        }
        if (!isDns1123Label(value, 0, value.length())) {
            return "'" + value
                    + "' is not a valid DNS-1123 label: it must consist of lower case alphanumeric characters"
                    + " or '-', and must start and end with an alphanumeric character (e.g. 'my-name' or '123-abc')";
        }
        return null;
    }

    /**
     * DNS-1123 subdomain: at most 253 characters, dot-separated DNS-1123 labels.
     *
     * @param value the text to check
     * @return null if valid, else what is wrong
     */
    public static String checkDns1123Subdomain(String value) {
        if (value.length() > SUBDOMAIN_MAX_LENGTH) {
            return tooLong(value, SUBDOMAIN_MAX_LENGTH);
        }
        if (!isDns1123Subdomain(value)) {
            return "'" + value + "' is not a valid DNS-1123 subdomain: it must consist of lower case alphanumeric"
                    + " characters, '-' or '.', and must start and end with an alphanumeric character"
                    + " (e.g. 'example.com')";
        }
        return null;
    }

    /**
     * DNS-1035 label (Service names): a DNS-1123 label that starts with a letter.
     *
     * @param value the text to check
     * @return null if valid, else what is wrong
     */
    public static String checkDns1035Label(String value) {
        if (value.length() > LABEL_MAX_LENGTH) {
            return tooLong(value, LABEL_MAX_LENGTH);
        }
        if (!isDns1035Label(value)) {
            return "'" + value
                    + "' is not a valid DNS-1035 label: it must consist of lower case alphanumeric characters"
                    + " or '-', start with an alphabetic character, and end with an alphanumeric character"
                    + " (e.g. 'my-name' or 'abc-123')";
        }
        return null;
    }

    /**
     * Label value: empty, or at most 63 characters of {@code [-_.A-Za-z0-9]} starting and ending with an
     * alphanumeric.
     *
     * @param value the text to check
     * @return null if valid, else what is wrong
     */
    public static String checkLabelValue(String value) {
        if (value.length() > LABEL_MAX_LENGTH) {
            return tooLong(value, LABEL_MAX_LENGTH);
        }
        if (!isLabelValue(value)) {
            return "'" + value + "' is not a valid label value: it must be empty or consist of alphanumeric characters,"
                    + " '-', '_' or '.', and must start and end with an alphanumeric character";
        }
        return null;
    }

    /**
     * Whether a text is a label value (see {@link #checkLabelValue}), e.g. an object's name that is also to be the
     * value of a label.
     *
     * @param value the text
     * @return true if valid
     */
    public static boolean isLabelValue(String value) {
        return value.length() <= LABEL_MAX_LENGTH && (value.isEmpty() || isQualifiedNamePart(value, 0, value.length()));
    }

    /**
     * Whether a text is a DNS-1035 label (see {@link #checkDns1035Label}).
     *
     * @param value the text
     * @return true if valid
     */
    public static boolean isDns1035Label(String value) {
        return value.length() <= LABEL_MAX_LENGTH
                && isDns1123Label(value, 0, value.length())
                && isLowerLetter(value.charAt(0));
    }

    /**
     * Qualified name (label and annotation keys): an optional DNS-1123 subdomain prefix and '/', then a name of at
     * most 63 characters of {@code [-_.A-Za-z0-9]} starting and ending with an alphanumeric.
     *
     * @param key the text to check
     * @return null if valid, else what is wrong
     */
    public static String checkQualifiedName(String key) {
        int slash = key.indexOf('/');
        String name = slash < 0 ? key : key.substring(slash + 1);
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            if (prefix.isEmpty()) {
                return "'" + key + "' is not a valid key: the prefix before '/' must not be empty";
            }
            String prefixProblem = checkDns1123Subdomain(prefix);
            if (prefixProblem != null) {
                return "'" + key + "' is not a valid key: prefix " + prefixProblem;
            }
        }
        if (name.isEmpty()) {
            return "'" + key + "' is not a valid key: the name part must not be empty";
        }
        if (name.length() > LABEL_MAX_LENGTH) {
            return "'" + key + "' is not a valid key: the name part must be no more than 63 characters";
        }
        if (!isQualifiedNamePart(name, 0, name.length())) {
            return "'" + key + "' is not a valid key: the name part must consist of alphanumeric characters, '-', '_'"
                    + " or '.', and must start and end with an alphanumeric character, with an optional DNS subdomain"
                    + " prefix and '/' (e.g. 'example.com/MyName')";
        }
        return null;
    }

    /** Longest quantity accepted; longer numbers cannot be represented by Kubernetes anyway (int64, 3 decimals). */
    public static final int MAX_QUANTITY_LENGTH = 64;
    /** Largest decimal exponent accepted ({@code 1e30}); see {@link #checkQuantity}. */
    public static final int MAX_QUANTITY_EXPONENT = 30;

    private static final java.util.Set<String> QUANTITY_SUFFIXES =
            java.util.Set.of("", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei");

    /**
     * Resource quantity syntax exactly as the API server parses it ({@code ParseQuantity} in
     * {@code k8s.io/apimachinery/pkg/api/resource}, after trimming white space): an optional sign, digits with an
     * optional fraction (both may be empty, so {@code Gi} means 0), then a known suffix or a decimal exponent.
     * E.g. {@code 2}, {@code 500m}, {@code 1.5Gi}, {@code 1e3}. Stricter than the API server in two ways that
     * protect it: at most {@value #MAX_QUANTITY_LENGTH} characters and a decimal exponent of at most
     * {@value #MAX_QUANTITY_EXPONENT} in magnitude.
     *
     * @param value the text to check
     * @return null if valid, else what is wrong
     */
    public static String checkQuantity(String value) {
        String s = value.strip();
        if (s.isEmpty() || s.length() > MAX_QUANTITY_LENGTH || !isQuantity(s)) {
            return "'" + abbreviate(value) + "' is not a valid quantity: it must be a number with an optional suffix"
                    + " (n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent up to e30), at most 64 characters,"
                    + " e.g. '500m', '2Gi', '1.5'";
        }
        return null;
    }

    private static boolean isQuantity(String s) {
        int n = s.length();
        int i = skipSign(s, 0);
        i = skipDigits(s, i);
        if (i < n && s.charAt(i) == '.') {
            i = skipDigits(s, i + 1);
        }
        int suffixStart = i;
        while (i < n && "eEinumkKMGTP".indexOf(s.charAt(i)) >= 0) {
            i++;
        }
        i = skipDigits(s, skipSign(s, i));
        if (i < n) {
            return false;
        }
        String suffix = s.substring(suffixStart);
        if (QUANTITY_SUFFIXES.contains(suffix)) {
            return true;
        }
        if (suffix.length() > 1 && (suffix.charAt(0) == 'e' || suffix.charAt(0) == 'E')) {
            // Deliberately stricter than the API server, which parses the exponent as int64, truncates it to int32 and
            // then computes 10^exponent: "1e99999999999" keeps a kube-apiserver busy for many minutes and gigabytes
            // (seen on this project's test cluster). No real quantity needs more than 10^±30.
            try {
                return Math.abs(Integer.parseInt(suffix.substring(1))) <= MAX_QUANTITY_EXPONENT;
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return false;
    }

    private static int skipSign(String s, int i) {
        return i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-') ? i + 1 : i;
    }

    private static int skipDigits(String s, int i) {
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            i++;
        }
        return i;
    }

    private static String tooLong(String value, int max) {
        return "'" + abbreviate(value) + "' must be no more than " + max + " characters (it has " + value.length()
                + ")";
    }

    /** Keeps error messages readable when a value is huge. */
    static String abbreviate(String value) {
        return value.length() <= 80 ? value : value.substring(0, 77) + "...";
    }

    private static boolean isDns1123Subdomain(String value) {
        int start = 0;
        for (int i = 0; i <= value.length(); i++) {
            if (i == value.length() || value.charAt(i) == '.') {
                if (!isDns1123Label(value, start, i)) {
                    return false;
                }
                start = i + 1;
            }
        }
        return true;
    }

    private static boolean isDns1123Label(String s, int from, int to) {
        if (to <= from || !isLowerAlphanumeric(s.charAt(from)) || !isLowerAlphanumeric(s.charAt(to - 1))) {
            return false;
        }
        for (int i = from + 1; i < to - 1; i++) {
            char c = s.charAt(i);
            if (!isLowerAlphanumeric(c) && c != '-') {
                return false;
            }
        }
        return true;
    }

    private static boolean isQualifiedNamePart(String s, int from, int to) {
        if (to <= from || !isAlphanumeric(s.charAt(from)) || !isAlphanumeric(s.charAt(to - 1))) {
            return false;
        }
        for (int i = from + 1; i < to - 1; i++) {
            char c = s.charAt(i);
            if (!isAlphanumeric(c) && c != '-' && c != '_' && c != '.') {
                return false;
            }
        }
        return true;
    }

    /**
     * The character classes of Kubernetes' names, ASCII only (Java's {@link Character#isLetterOrDigit} would admit
     * other scripts).
     *
     * @param c a character
     * @return true for {@code [a-z]}
     */
    public static boolean isLowerLetter(char c) {
        return c >= 'a' && c <= 'z';
    }

    /**
     * @param c a character
     * @return true for {@code [a-z0-9]}
     * @see #isLowerLetter
     */
    public static boolean isLowerAlphanumeric(char c) {
        return isLowerLetter(c) || (c >= '0' && c <= '9');
    }

    /**
     * @param c a character
     * @return true for {@code [A-Za-z0-9]}
     * @see #isLowerLetter
     */
    public static boolean isAlphanumeric(char c) {
        return isLowerAlphanumeric(c) || (c >= 'A' && c <= 'Z');
    }
}
