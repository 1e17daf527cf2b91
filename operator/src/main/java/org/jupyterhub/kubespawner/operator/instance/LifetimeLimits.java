package org.jupyterhub.kubespawner.operator.instance;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import org.jupyterhub.kubespawner.operator.activity.ActivityReading;
import org.jupyterhub.kubespawner.operator.vocabulary.ConditionTypes;
import org.jupyterhub.kubespawner.operator.vocabulary.Conditions;
import org.jupyterhub.kubespawner.operator.vocabulary.Reason;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus.StopReason;

/**
 * The lifetime limits of a running server (the template's {@code policy.lifecycle}): when it will be stopped, what
 * status shows of its activity, and whether a limit is reached now. A pure function of the policy, the server's
 * start, the latest activity reading and the previous status.
 *
 * <p>No time in status changes at every probe: {@code lastActivity} follows the server only when it moved by the
 * policy's resolution, {@code idleSince} is set once when the server turns idle, and a reading that is not there
 * yet (a new operator) keeps what status says. A limit is reached only on a fresh, successful reading (the idle
 * limit) or on the clock (the maximum age): a failing probe never stops a server.
 */
final class LifetimeLimits {

    /**
     * What status shows and what to do.
     *
     * @param lastActivity status.lastActivity, or null
     * @param idleSince status.idleSince, or null
     * @param stopAt status.stopAt, or null
     * @param stopReason the rule that will stop the server at stopAt, or null
     * @param activityKnown the ActivityKnown condition (status, reason, message), or null without a probe
     * @param due the stop to carry out now, or null
     * @param recheckAfter when the maximum age is reached, or null
     */
    record Lifetime(
            ZonedDateTime lastActivity,
            ZonedDateTime idleSince,
            ZonedDateTime stopAt,
            StopReason stopReason,
            ActivityKnown activityKnown,
            Stop due,
            Duration recheckAfter) {}

    /**
     * The ActivityKnown condition.
     *
     * @param status True, False or Unknown
     * @param reason the reason
     * @param message the message (no times: it changes only when the probe's outcome does)
     */
    record ActivityKnown(String status, Reason reason, String message) {}

    private LifetimeLimits() {}

    /**
     * Evaluates the limits of a running server.
     *
     * @param policy the template's lifecycle policy
     * @param runStart when the server started (its notebook pod's creation), or null
     * @param reading the latest activity reading
     * @param previous the status now, may be null
     * @param now the time
     * @return what to show and do
     */
    static Lifetime evaluate(
            LifecyclePolicy policy,
            Instant runStart,
            ActivityReading reading,
            JupyterNotebookInstanceStatus previous,
            Instant now) {
        ZonedDateTime prevLast = previous == null ? null : previous.getLastActivity();
        ZonedDateTime prevIdle = previous == null ? null : previous.getIdleSince();
        ZonedDateTime last = null;
        ZonedDateTime idleSince = null;
        Stop due = null;
        ActivityKnown known = null;
        Instant turnsIdleAt = null;
        if (policy.probe() != null) {
            if (reading instanceof ActivityReading.Activity a) {
                known = new ActivityKnown(
                        Conditions.TRUE, Reason.ProbeSucceeded, "the activity probe reads the server's last activity");
                Instant exact = runStart != null && a.lastActivity().isBefore(runStart) ? runStart : a.lastActivity();
                Duration resolution = policy.resolution();
                if (!Duration.between(exact, now).minus(resolution).isNegative()) {
                    last = utc(exact, prevLast);
                    idleSince = utc(exact, prevIdle);
                } else {
                    turnsIdleAt = exact.plus(resolution);
                    boolean near = prevLast != null
                            && !exact.isBefore(prevLast.toInstant())
                            && Duration.between(prevLast.toInstant(), exact).compareTo(resolution) < 0;
                    last = near ? prevLast : utc(exact, prevLast);
                }
                due = idle(policy, exact, a, now);
            } else if (reading instanceof ActivityReading.Failure f) {
                known = new ActivityKnown(Conditions.FALSE, f.reason(), f.message());
                last = prevLast; // what was known stays; idleness is not claimed on no data
            } else {
                known = carried(previous);
                last = prevLast;
                idleSince = prevIdle;
            }
        }
        Instant maxAgeAt = policy.maxAge() == null || runStart == null ? null : runStart.plus(policy.maxAge());
        Instant idleAt = policy.idleLimit() == null || last == null || reading instanceof ActivityReading.Failure
                ? null
                : (idleSince != null ? idleSince : last).toInstant().plus(policy.idleLimit());
        if (maxAgeAt != null && !now.isBefore(maxAgeAt)) {
            due = new Stop(
                    Reason.MaxAgeExceeded,
                    policy.onLimit(),
                    "ran for " + Duration.between(runStart, now).toSeconds() + "s since its pod was created at "
                            + runStart.truncatedTo(ChronoUnit.SECONDS) + " (policy.lifecycle.maxAgeSeconds "
                            + policy.maxAge().toSeconds() + ")");
        }
        Instant stopAt = earlier(maxAgeAt, idleAt);
        StopReason why = stopAt == null
                ? null
                : stopAt.equals(maxAgeAt) ? StopReason.MAXAGEEXCEEDED : StopReason.IDLELIMITEXCEEDED;
        // Called again when the maximum age is reached, when the server turns idle and when its idle limit passes: the
        // probes wake a reconcile when their reading changes, and these times come from the clock, not a reading.
        Instant next = null;
        for (Instant at : new Instant[] {maxAgeAt, idleAt, turnsIdleAt}) {
            if (at != null && now.isBefore(at)) {
                next = earlier(next, at);
            }
        }
        Duration recheck = next == null ? null : Duration.between(now, next).plusSeconds(1);
        return new Lifetime(
                last,
                idleSince,
                stopAt == null ? null : utc(stopAt, previous == null ? null : previous.getStopAt()),
                why,
                known,
                due,
                recheck);
    }

    /** The idle limit's stop, on a fresh reading only (taken within two intervals and a timeout). */
    private static Stop idle(LifecyclePolicy policy, Instant last, ActivityReading.Activity a, Instant now) {
        if (policy.idleLimit() == null) {
            return null;
        }
        Duration freshness =
                policy.probe().interval().multipliedBy(2).plus(policy.probe().timeout());
        Duration idleFor = Duration.between(last, now);
        if (Duration.between(a.probedAt(), now).compareTo(freshness) > 0 || idleFor.compareTo(policy.idleLimit()) < 0) {
            return null;
        }
        return new Stop(
                Reason.IdleLimitExceeded,
                policy.onLimit(),
                "idle since " + last.truncatedTo(ChronoUnit.SECONDS) + ": no activity for " + idleFor.toSeconds()
                        + "s (policy.lifecycle.idleLimitSeconds "
                        + policy.idleLimit().toSeconds()
                        + "), as its activity probe read at " + a.probedAt().truncatedTo(ChronoUnit.SECONDS));
    }

    /** Before the first answer: what status said (a new operator writes nothing), else Unknown. */
    private static ActivityKnown carried(JupyterNotebookInstanceStatus previous) {
        io.fabric8.kubernetes.api.model.Condition c =
                previous == null ? null : Conditions.find(previous.getConditions(), ConditionTypes.ACTIVITY_KNOWN);
        if (c != null) {
            try {
                return new ActivityKnown(c.getStatus(), Reason.valueOf(c.getReason()), c.getMessage());
            } catch (IllegalArgumentException | NullPointerException e) {
                // not one of ours: start afresh
            }
        }
        return new ActivityKnown(
                Conditions.UNKNOWN, Reason.ProbePending, "waiting for the first answer of the activity probe");
    }

    private static Instant earlier(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isBefore(b) ? a : b;
    }

    /**
     * A time for status, in whole seconds; the previous object when it is the same instant, so that status compares
     * equal however the API server's answer was read (its zone may be "UTC" or "Z").
     *
     * @param instant the time
     * @param previous the value status has, may be null
     * @return the value to write
     */
    static ZonedDateTime utc(Instant instant, ZonedDateTime previous) {
        Instant seconds = instant.truncatedTo(ChronoUnit.SECONDS);
        if (previous != null && previous.toInstant().equals(seconds)) {
            return previous;
        }
        return ZonedDateTime.ofInstant(seconds, ZoneOffset.UTC);
    }
}
