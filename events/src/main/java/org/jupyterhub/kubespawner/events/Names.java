package org.jupyterhub.kubespawner.events;

import java.util.regex.Pattern;

/**
 * Kubernetes' name syntax as far as Events need it: Event names are DNS-1123 subdomains, {@code reportingController}
 * is a qualified name. Syntax only; lengths are checked where they matter. (The templating module has the full set;
 * this library does not depend on it.)
 */
final class Names {

    private static final String DNS_SUBDOMAIN =
            "[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*";
    private static final Pattern SUBDOMAIN = Pattern.compile(DNS_SUBDOMAIN);
    /** An optional DNS-subdomain prefix and '/', then a name of {@code [-A-Za-z0-9_.]} with alphanumeric ends. */
    private static final Pattern QUALIFIED_NAME =
            Pattern.compile("(?:" + DNS_SUBDOMAIN + "/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?");

    /** The name part of a qualified name is at most this long. */
    static final int QUALIFIED_NAME_PART_MAX_LENGTH = 63;

    private Names() {}

    /** @return true for {@code [a-z0-9]} */
    static boolean isLowerAlphanumeric(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    }

    /** @return true when {@code s} is dot-separated DNS-1123 labels (any length) */
    static boolean isDns1123Subdomain(String s) {
        return SUBDOMAIN.matcher(s).matches();
    }

    /** @return true when {@code s} is a qualified name whose name part has at most 63 characters */
    static boolean isQualifiedName(String s) {
        return QUALIFIED_NAME.matcher(s).matches() && s.length() - s.indexOf('/') - 1 <= QUALIFIED_NAME_PART_MAX_LENGTH;
    }
}
