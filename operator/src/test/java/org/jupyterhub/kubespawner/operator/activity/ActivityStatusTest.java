package org.jupyterhub.kubespawner.operator.activity;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.jupyterhub.kubespawner.operator.vocabulary.Reason;

class ActivityStatusTest {

    static final Instant NOW = Instant.parse("2026-01-01T10:00:00Z");

    static ActivityReading read(int status, String body) {
        return ActivityStatus.read(status, body == null ? null : body.getBytes(StandardCharsets.UTF_8), false, NOW);
    }

    @Test
    void jupyterServersStatusIsRead() {
        ActivityReading r = read(200, """
                {"started": "2026-01-01T09:00:00.000000Z", "last_activity": "2026-01-01T09:58:01.123456Z",
                 "connections": 1, "kernels": 2}""");

        assertThat(r).isEqualTo(new ActivityReading.Activity(Instant.parse("2026-01-01T09:58:01.123456Z"), NOW));
    }

    @Test
    void anOffsetOtherThanUtcIsUnderstood() {
        assertThat(read(200, "{\"last_activity\": \"2026-01-01T11:00:00+02:00\"}"))
                .isEqualTo(new ActivityReading.Activity(Instant.parse("2026-01-01T09:00:00Z"), NOW));
    }

    @Test
    void aServerClockAheadOfOursCannotPostponeItsStop() {
        assertThat(read(200, "{\"last_activity\": \"2026-01-01T12:00:00Z\"}"))
                .isEqualTo(new ActivityReading.Activity(NOW, NOW));
    }

    @Test
    void everyBadAnswerIsAFailureWithAReasonAndAStableMessage() {
        assertThat(read(401, ""))
                .extracting(r -> ((ActivityReading.Failure) r).reason())
                .isEqualTo(Reason.ProbeUnauthorized);
        assertThat(read(403, ""))
                .extracting(r -> ((ActivityReading.Failure) r).reason())
                .isEqualTo(Reason.ProbeUnauthorized);
        assertThat(read(502, ""))
                .isEqualTo(new ActivityReading.Failure(
                        Reason.ProbeFailed, "the server answered the activity probe with HTTP 502"));
        assertThat(read(200, "<html>"))
                .extracting(r -> ((ActivityReading.Failure) r).reason(), r -> ((ActivityReading.Failure) r).message())
                .containsExactly(
                        Reason.ProbeMalformed,
                        "the answer is not JSON (expected jupyter-server's /api/status: JSON with last_activity)");
        assertThat(read(200, "[1, 2]"))
                .extracting(r -> ((ActivityReading.Failure) r).reason())
                .isEqualTo(Reason.ProbeMalformed);
        assertThat(read(200, "{\"version\": \"2.14\"}"))
                .extracting(r -> ((ActivityReading.Failure) r).message())
                .asString()
                .startsWith("the answer has no last_activity");
        assertThat(read(200, "{\"last_activity\": 1767261600}"))
                .extracting(r -> ((ActivityReading.Failure) r).reason())
                .isEqualTo(Reason.ProbeMalformed);
        assertThat(read(200, "{\"last_activity\": \"yesterday\"}"))
                .extracting(r -> ((ActivityReading.Failure) r).message())
                .asString()
                .startsWith("last_activity is not an ISO 8601 time");
        assertThat(read(200, null))
                .extracting(r -> ((ActivityReading.Failure) r).reason())
                .isEqualTo(Reason.ProbeMalformed);
        assertThat(ActivityStatus.read(200, "{\"last_activity\": \"2026-".getBytes(StandardCharsets.UTF_8), true, NOW))
                .extracting(r -> ((ActivityReading.Failure) r).message())
                .asString()
                .startsWith("the answer is longer than the probe reads");
    }
}
