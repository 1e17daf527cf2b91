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

  private KubernetesNames() {
  }

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
      return "'" + value + "' is not a valid DNS-1123 label: it must consist of lower case alphanumeric characters"
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
    if (!isDns1123Label(value, 0, value.length()) || !isLowerLetter(value.charAt(0))) {
      return "'" + value + "' is not a valid DNS-1035 label: it must consist of lower case alphanumeric characters"
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
    if (!value.isEmpty() && !isQualifiedNamePart(value, 0, value.length())) {
      return "'" + value + "' is not a valid label value: it must be empty or consist of alphanumeric characters,"
          + " '-', '_' or '.', and must start and end with an alphanumeric character";
    }
    return null;
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

  // <signedNumber><suffix>: suffix is binary SI, decimal SI or a decimal exponent (k8s.io/apimachinery resource).
  private static final java.util.regex.Pattern QUANTITY = java.util.regex.Pattern.compile(
      "[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?");

  /**
   * Resource quantity syntax, e.g. {@code 2}, {@code 500m}, {@code 1.5Gi}, {@code 1e3}.
   *
   * @param value the text to check
   * @return null if valid, else what is wrong
   */
  public static String checkQuantity(String value) {
    if (value.length() > 64 || !QUANTITY.matcher(value).matches()) {
      return "'" + abbreviate(value) + "' is not a valid quantity: it must be a number with an optional suffix"
          + " (n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent), e.g. '500m', '2Gi', '1.5'";
    }
    return null;
  }

  private static String tooLong(String value, int max) {
    return "'" + abbreviate(value) + "' must be no more than " + max + " characters (it has " + value.length() + ")";
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

  private static boolean isLowerLetter(char c) {
    return c >= 'a' && c <= 'z';
  }

  private static boolean isLowerAlphanumeric(char c) {
    return isLowerLetter(c) || (c >= '0' && c <= '9');
  }

  private static boolean isAlphanumeric(char c) {
    return isLowerAlphanumeric(c) || (c >= 'A' && c <= 'Z');
  }
}
