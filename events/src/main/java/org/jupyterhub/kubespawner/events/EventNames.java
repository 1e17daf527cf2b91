package org.jupyterhub.kubespawner.events;

import io.fabric8.kubernetes.api.model.ObjectReference;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Deterministic Event names: {@code <regarding name>.<16 hex of the key's hash>}.
 *
 * <p>Because the name is a function of the event's key and the aggregation window it falls into, a restarted
 * recorder (or a second replica) that sees the same event again computes the same name; its create then fails with
 * AlreadyExists and the occurrence is counted into the existing Event's series instead of duplicating it. This is
 * what lets the recorder work without get/list permissions on Events.
 */
final class EventNames {

    private static final Pattern NOT_ALPHANUMERIC = Pattern.compile("[^a-z0-9]+");

    /** 253 allowed, minus the dot and 16 hex chars of the suffix, with some room to spare. */
    static final int MAX_PREFIX_LENGTH = 200;

    private EventNames() {}

    static String name(
            ObjectReference regarding, EventKey key, String reportingController, Instant seriesStart, Duration window) {
        long windowIndex = Math.floorDiv(seriesStart.toEpochMilli(), Math.max(1, window.toMillis()));
        return prefix(regarding.getName()) + "." + key.hash(reportingController, windowIndex);
    }

    /**
     * The regarding object's name if it is a valid subdomain (most kinds), else a readable sanitised form, e.g. a
     * ClusterRole {@code system:controller:foo} becomes {@code system-controller-foo}.
     */
    static String prefix(String regardingName) {
        String name = regardingName.toLowerCase(Locale.ROOT);
        if (!Names.isDns1123Subdomain(name)) { // Event names must be DNS-1123 subdomains
            name = NOT_ALPHANUMERIC.matcher(name).replaceAll("-");
        }
        if (name.length() > MAX_PREFIX_LENGTH) {
            name = name.substring(0, MAX_PREFIX_LENGTH);
        }
        name = trimNonAlphanumeric(name);
        return name.isEmpty() ? "event" : name;
    }

    private static String trimNonAlphanumeric(String name) {
        int start = 0;
        int end = name.length();
        while (start < end && !Names.isLowerAlphanumeric(name.charAt(start))) {
            start++;
        }
        while (end > start && !Names.isLowerAlphanumeric(name.charAt(end - 1))) {
            end--;
        }
        return name.substring(start, end);
    }
}
