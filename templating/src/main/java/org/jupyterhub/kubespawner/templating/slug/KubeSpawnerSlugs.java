package org.jupyterhub.kubespawner.templating.slug;

import static org.jupyterhub.kubespawner.templating.core.KubernetesNames.isLowerAlphanumeric;
import static org.jupyterhub.kubespawner.templating.core.KubernetesNames.isLowerLetter;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import org.jupyterhub.kubespawner.templating.core.KubernetesNames;

/**
 * KubeSpawner's slug functions ({@code kubespawner/slugs.py}, jupyterhub-kubespawner 7.1.0), ported exactly so
 * that names such as {@code claim-{user_server}} computed here equal the names of objects KubeSpawner already
 * created: users keep their volumes when a hub moves to the operator.
 *
 * <p>The "safe" scheme: a name that is already a valid DNS label (and contains no {@code --}) is kept as is;
 * otherwise it is lowercased, every run of characters outside {@code [a-z0-9]} becomes one {@code -}, it is
 * truncated, and {@code ---} plus the first 8 hex digits of the SHA-256 of the original (UTF-8) is appended, so
 * distinct inputs never collide.
 *
 * <p>One deliberate difference: KubeSpawner checks label values with a case-insensitive Python regex, which also
 * accepts the four non-ASCII letters {@code İ ı ſ K} (U+0130, U+0131, U+017F, U+212A) and so produces labels the API
 * server rejects. Here they are escaped like any other character; no working KubeSpawner deployment can have such
 * labels, so compatibility is not affected. Lengths are counted in UTF-16 units, which equals Python's count for
 * everything these checks can accept (ASCII).
 */
public final class KubeSpawnerSlugs {

    /** Length of the hash suffix. */
    static final int HASH_LENGTH = 8;
    /** KubeSpawner's per-field limit for {@code {username}}, {@code {servername}} and {@code {user_server}}. */
    public static final int FIELD_MAX_LENGTH = 48;

    private KubeSpawnerSlugs() {}

    /**
     * {@code is_valid_object_name}: 1-63 characters of {@code [a-z0-9-]}, starting with a letter and ending with a
     * letter or digit (valid under both DNS-1123 and DNS-1035).
     *
     * @param s the text
     * @return true if KubeSpawner would use it unchanged as an object name
     */
    public static boolean isValidObjectName(String s) {
        return KubernetesNames.isDns1035Label(s);
    }

    /**
     * {@code is_valid_label}: empty, or at most 63 characters of {@code [A-Za-z0-9._-]} starting and ending with an
     * alphanumeric.
     *
     * @param s the text
     * @return true if KubeSpawner would use it unchanged as a label value
     */
    public static boolean isValidLabel(String s) {
        return KubernetesNames.isLabelValue(s);
    }

    /**
     * {@code safe_slug(name)}: the name itself if it is a valid object name without {@code --}, else
     * {@link #stripAndHash(String, int) stripAndHash(name, 32)}.
     *
     * @param name any text
     * @return a valid object name
     */
    public static String safeSlug(String name) {
        return safeSlug(name, KubeSpawnerSlugs::isValidObjectName, null);
    }

    /**
     * {@code safe_slug(name, is_valid=is_valid_label)}, as used for the {@code hub.jupyter.org/username} and
     * {@code hub.jupyter.org/servername} labels.
     *
     * @param name any text
     * @return a valid label value
     */
    public static String safeLabelSlug(String name) {
        return safeSlug(name, KubeSpawnerSlugs::isValidLabel, null);
    }

    /**
     * {@code safe_slug(name, is_valid, max_length)}.
     *
     * @param name any text
     * @param isValid whether a name can be kept unchanged
     * @param maxLength the maximum length, or null for no limit when kept and 32 when hashed
     * @return the slug
     */
    public static String safeSlug(String name, Predicate<String> isValid, Integer maxLength) {
        int hashedLength = maxLength == null ? 32 : maxLength;
        if (name.contains("--")) {
            return stripAndHash(name, hashedLength);
        }
        if (isValid.test(name) && (maxLength == null || name.length() <= maxLength)) {
            return name;
        }
        return stripAndHash(name, hashedLength);
    }

    /**
     * {@code strip_and_hash}: {@code {safe prefix}---{8 hex digits of sha256(name)}}, at most {@code maxLength}.
     *
     * @param name any text
     * @param maxLength at least 12
     * @return the slug
     * @throws IllegalArgumentException if maxLength is below 12 (as KubeSpawner's ValueError)
     */
    public static String stripAndHash(String name, int maxLength) {
        int nameLength = maxLength - (HASH_LENGTH + 3);
        if (nameLength < 1) {
            throw new IllegalArgumentException("Cannot make safe names shorter than " + (HASH_LENGTH + 4));
        }
        return extractSafeName(name, nameLength) + "---" + sha256Hex(name.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * {@code multi_slug}: {@code {name1}--{name2}---{hash}} with one hash over all names (separated by byte 0xFF so
     * that shifting characters between names changes the hash).
     *
     * @param names at least one name
     * @param maxLength the total maximum length (KubeSpawner uses 48)
     * @return the slug
     * @throws IllegalArgumentException if there is not room for the names (as KubeSpawner's ValueError)
     */
    public static String multiSlug(List<String> names, int maxLength) {
        MessageDigest sha = sha256();
        sha.update(names.get(0).getBytes(StandardCharsets.UTF_8));
        for (String name : names.subList(1, names.size())) {
            sha.update((byte) 0xff);
            sha.update(name.getBytes(StandardCharsets.UTF_8));
        }
        String hash = hex(sha.digest()).substring(0, HASH_LENGTH);
        int available = maxLength - (HASH_LENGTH + 1);
        int perName = Math.floorDiv(available, names.size());
        int nameMaxLength = perName - 2;
        if (nameMaxLength < 2) {
            throw new IllegalArgumentException("Not enough characters for " + names.size() + " names: " + maxLength);
        }
        StringBuilder out = new StringBuilder(maxLength);
        for (int i = 0; i < names.size(); i++) {
            if (i > 0) {
                out.append("--");
            }
            out.append(extractSafeName(names.get(i), nameMaxLength));
        }
        return out.append("---").append(hash).toString();
    }

    /**
     * {@code escape_slug}: KubeSpawner's legacy "escape" scheme (before 7.0): every character outside
     * {@code [a-z0-9]} becomes {@code -} followed by the hex of each of its UTF-8 bytes, then all is lowercased.
     * Needed only to find volumes created by old KubeSpawner versions.
     *
     * @param name any text
     * @return the escaped name
     */
    public static String escapeSlug(String name) {
        StringBuilder out = new StringBuilder(name.length() * 2);
        name.codePoints().forEach(cp -> {
            if (cp < 128 && isLowerAlphanumeric((char) cp)) {
                out.append((char) cp);
            } else {
                for (byte b : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
                    out.append('-').append(Integer.toHexString(b & 0xff));
                }
            }
        });
        return out.toString();
    }

    /**
     * {@code _extract_safe_name}: lowercase, runs of non-{@code [a-z0-9]} become {@code -}, trim, truncate, start
     * with a letter ({@code x-} prefix), never empty ({@code x}).
     */
    static String extractSafeName(String name, int maxLength) {
        String lower = name.toLowerCase(Locale.ROOT);
        StringBuilder replaced = new StringBuilder(lower.length());
        boolean inRun = false;
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            if (isLowerAlphanumeric(c)) {
                replaced.append(c);
                inRun = false;
            } else if (!inRun) {
                replaced.append('-');
                inRun = true;
            }
        }
        String safe = stripRight(truncate(stripLeft(replaced.toString()), maxLength));
        if (!safe.isEmpty() && !isLowerLetter(safe.charAt(0))) {
            // Python's s[:n] with n < 0 drops characters from the end; that only happens for maxLength <= 1, where
            // safe has at most one character and both forms give "".
            safe = "x-" + truncate(safe, maxLength - 2);
        }
        return safe.isEmpty() ? "x" : safe;
    }

    private static String stripLeft(String s) {
        int i = 0;
        while (i < s.length() && s.charAt(i) == '-') {
            i++;
        }
        return s.substring(i);
    }

    private static String stripRight(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '-') {
            end--;
        }
        return s.substring(0, end);
    }

    private static String truncate(String s, int maxLength) {
        return s.length() <= maxLength ? s : s.substring(0, Math.max(0, maxLength));
    }

    private static String sha256Hex(byte[] bytes) {
        return hex(sha256().digest(bytes)).substring(0, HASH_LENGTH);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static String hex(byte[] bytes) {
        StringBuilder out = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            out.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return out.toString();
    }
}
