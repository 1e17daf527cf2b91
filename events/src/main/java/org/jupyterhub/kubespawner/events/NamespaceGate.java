package org.jupyterhub.kubespawner.events;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers namespaces whose Event creates the API server refused because the namespace is being deleted, so that
 * the writers stop asking there for a while. Without it, every Event about an object of a deleted namespace costs a
 * round trip (the NamespaceLifecycle admission plugin even waits 50 ms before refusing a create in a namespace it
 * cannot find), and a backlog of them delays every other namespace's Events: 390 refused {@code ClaimRetained}
 * Events held up a whole benchmark run's Events for 20 s.
 *
 * <p>Shared by all writer threads (a namespace's objects are spread over them), hence a concurrent map. After the
 * give-up period the next Event there is tried again: if the namespace was recreated it is written and the
 * namespace forgotten; if it is still terminating the refusal starts another period. Logged at WARN the first time
 * a namespace is given up, at DEBUG when a period is renewed, so a namespace stuck in Terminating for days costs
 * one request and one DEBUG line per period.
 */
final class NamespaceGate {

    /** A namespace given up on and quiet for this long after its period is forgotten: memory stays bounded. */
    private static final Duration FORGET_AFTER = Duration.ofHours(1);

    private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);

    private final Duration giveUp;
    private final Clock clock;
    private final Map<String, Instant> givenUpUntil = new ConcurrentHashMap<>();

    /**
     * @param giveUp how long no request is made to a namespace after a refusal there; zero means every Event is
     *     still tried (the refusals are then only counted and logged)
     */
    NamespaceGate(Duration giveUp, Clock clock) {
        this.giveUp = giveUp;
        this.clock = clock;
    }

    /** True while writes to {@code namespace} are skipped after a refusal. */
    boolean isGivenUp(String namespace) {
        if (givenUpUntil.isEmpty()) {
            return false; // the usual case, without a hash lookup
        }
        Instant until = givenUpUntil.get(namespace);
        return until != null && clock.instant().isBefore(until);
    }

    /** The API server refused a create in {@code namespace} because it is being deleted (or is gone). */
    void refused(String namespace, String why) {
        Instant until = clock.instant().plus(giveUp);
        if (givenUpUntil.put(namespace, until) == null) {
            LOG.warn(
                    "Namespace {} is being deleted or gone ({}); its Events are dropped without a request for {} at a"
                            + " time (counted in droppedNamespaceTerminating; further refusals there are logged at DEBUG)",
                    namespace,
                    why,
                    readable(giveUp));
        } else {
            LOG.debug(
                    "Namespace {} still refuses Events ({}); dropping them for another {}",
                    namespace,
                    why,
                    readable(giveUp));
        }
    }

    private static String readable(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }

    /** A write to {@code namespace} succeeded: it exists again (recreated), so it is no longer given up. */
    void accepted(String namespace) {
        if (!givenUpUntil.isEmpty() && givenUpUntil.remove(namespace) != null) {
            LOG.info("Namespace {} accepts Events again", namespace);
        }
    }

    /** Forgets namespaces whose period ended long ago; called by the writers' periodic maintenance. */
    void forgetExpired() {
        if (givenUpUntil.isEmpty()) {
            return;
        }
        Instant horizon = clock.instant().minus(FORGET_AFTER);
        givenUpUntil.values().removeIf(until -> until.isBefore(horizon));
    }
}
