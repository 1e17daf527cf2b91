package org.jupyterhub.kubespawner.operator.activity;

import java.time.Instant;
import org.jupyterhub.kubespawner.operator.vocabulary.Reason;

/** What the activity probe last found out about a server. */
public sealed interface ActivityReading {

    /** Not probed yet (a new server, or the operator just started): decide nothing from it. */
    record Unknown() implements ActivityReading {}

    /**
     * The server answered with its last activity.
     *
     * @param lastActivity the server's own last_activity, never later than probedAt
     * @param probedAt when the answer came
     */
    record Activity(Instant lastActivity, Instant probedAt) implements ActivityReading {}

    /**
     * The probe failed; nothing is known about the server's activity.
     *
     * @param reason ProbeUnreachable, ProbeUnauthorized, ProbeFailed, ProbeMalformed or ProbeTokenUnavailable
     * @param message a stable sentence (no times), for the ActivityKnown condition
     */
    record Failure(Reason reason, String message) implements ActivityReading {}
}
