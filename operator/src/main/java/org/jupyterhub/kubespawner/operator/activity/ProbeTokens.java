package org.jupyterhub.kubespawner.operator.activity;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The probes' tokens, read from the Secrets the templates name and kept for a minute, so a thousand servers probed
 * every ten seconds cost one Secret read a minute per template, not a hundred a second. A rotated token is used
 * within a minute.
 */
public final class ProbeTokens {

    /** How long a token (or its absence) is kept. */
    static final Duration TTL = Duration.ofMinutes(1);

    /** Reads one key of a Secret. */
    public interface Reader {
        /**
         * @param namespace the Secret's namespace
         * @param name its name
         * @param key the key
         * @return the decoded value, or null when the Secret or the key does not exist
         */
        String read(String namespace, String name, String key);
    }

    private record Kept(String token, Instant until) {}

    private final Reader reader;
    private final Supplier<Instant> clock;
    private final Map<String, Kept> kept = new ConcurrentHashMap<>();

    ProbeTokens(Reader reader, Supplier<Instant> clock) {
        this.reader = reader;
        this.clock = clock;
    }

    /**
     * The token, from the cache or read now.
     *
     * @param target whose token
     * @return the token, or null when it cannot be had
     * @throws RuntimeException when reading fails (not kept: tried again at the next probe)
     */
    String token(ProbeTarget target) {
        String key = target.tokenNamespace() + "/" + target.tokenSecret() + "/" + target.tokenKey();
        Instant now = clock.get();
        Kept k = kept.get(key);
        if (k == null || now.isAfter(k.until())) {
            String value = reader.read(target.tokenNamespace(), target.tokenSecret(), target.tokenKey());
            k = new Kept(value == null ? null : value.strip(), now.plus(TTL));
            kept.put(key, k);
        }
        return k.token() == null || k.token().isEmpty() ? null : k.token();
    }
}
