package org.jupyterhub.kubespawner.operator.activity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import org.jupyterhub.kubespawner.operator.vocabulary.Reason;

/**
 * Reads a probe's answer: an HTTP status and a JSON body with {@code last_activity}, as jupyter-server's
 * {@code /api/status} gives ({@code {"started": ..., "last_activity": "2026-01-01T10:00:00.123456Z", "connections":
 * 1, "kernels": 2}}). A pure function; every failure is a {@link ActivityReading.Failure} with a message that holds
 * no time, so a failing probe changes status once, not at every probe.
 */
public final class ActivityStatus {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ActivityStatus() {}

    /**
     * Reads one answer.
     *
     * @param status the HTTP status
     * @param body the body (at most the probe's limit), may be null
     * @param truncated whether the body was cut at the limit
     * @param now when it was read
     * @return the reading
     */
    public static ActivityReading read(int status, byte[] body, boolean truncated, Instant now) {
        if (status == 401 || status == 403) {
            return new ActivityReading.Failure(
                    Reason.ProbeUnauthorized,
                    "the server refused the probe's token (HTTP " + status + "): check the Secret named by the"
                            + " template's policy.lifecycle.activityProbe.tokenSecretRef");
        }
        if (status < 200 || status > 299) {
            return new ActivityReading.Failure(
                    Reason.ProbeFailed, "the server answered the activity probe with HTTP " + status);
        }
        if (truncated) {
            return malformed("the answer is longer than the probe reads");
        }
        JsonNode json;
        try {
            json = body == null ? null : JSON.readTree(body);
        } catch (IOException e) {
            return malformed("the answer is not JSON");
        }
        if (json == null || !json.isObject()) {
            return malformed("the answer is not a JSON object");
        }
        JsonNode last = json.get("last_activity");
        if (last == null || !last.isTextual()) {
            return malformed("the answer has no last_activity");
        }
        Instant at;
        try {
            at = OffsetDateTime.parse(last.asText()).toInstant();
        } catch (DateTimeParseException e) {
            return malformed("last_activity is not an ISO 8601 time with an offset");
        }
        // A server's clock ahead of ours must not postpone its own stop.
        return new ActivityReading.Activity(at.isAfter(now) ? now : at, now);
    }

    private static ActivityReading.Failure malformed(String why) {
        return new ActivityReading.Failure(
                Reason.ProbeMalformed, why + " (expected jupyter-server's /api/status: JSON with last_activity)");
    }
}
