package org.jupyterhub.kubespawner.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The settings record: defaults from the builder, the lanes' shares, and validation without a client. */
class RecorderSettingsTest {

    /** A builder without a client: the settings need none. */
    private static final class Settings extends SettingsBuilder<Settings> {
        @Override
        Settings self() {
            return this;
        }
    }

    private static Settings valid() {
        return new Settings().reportingController("example.com/controller").reportingInstance("replica-0");
    }

    @Test
    void defaultsSuitAnOperatorWithThousandsOfObjects() {
        RecorderSettings s = valid().settings();

        assertThat(s.aggregationWindow()).isEqualTo(Duration.ofMinutes(10));
        assertThat(s.queueCapacity()).isEqualTo(10_000);
        assertThat(s.writers()).isEqualTo(4);
        assertThat(s.terminatingNamespaceGiveUp()).isEqualTo(Duration.ofSeconds(60));
        assertThat(s.rateLimitBurst()).isEqualTo(25);
        assertThat(s.rateLimitRefill()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.maxSeries()).isEqualTo(10_000);
        assertThat(s.drainTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.writeDelay()).isZero();
        assertThat(s.auditLogger()).isEqualTo(EventRecorder.DEFAULT_AUDIT_LOGGER);
        assertThat(s.clock()).isEqualTo(Clock.systemUTC());
    }

    @Test
    void eachLaneGetsItsShareRoundedUp() {
        RecorderSettings even = valid().settings();
        assertThat(even.laneCapacity()).isEqualTo(2_500);
        assertThat(even.laneMaxSeries()).isEqualTo(2_500);

        RecorderSettings odd = valid().writers(3).queueCapacity(10).maxSeries(1).settings();
        assertThat(odd.laneCapacity()).isEqualTo(4);
        assertThat(odd.laneMaxSeries()).isEqualTo(1);

        RecorderSettings huge =
                valid().writers(64).queueCapacity(Integer.MAX_VALUE).settings();
        assertThat(huge.laneCapacity()).isEqualTo(Integer.MAX_VALUE / 64 + 1);
    }

    @Test
    void theAuditLogIsOffOrNamed() {
        assertThat(valid().auditLog(false).settings().auditLogger()).isNull();
        assertThat(valid().auditLogger("siem").settings().auditLogger()).isEqualTo("siem");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> valid().auditLogger(null).settings())
                .withMessage("auditLogger must name a logger");
        assertThat(valid().auditLog(false).auditLogger(null).settings().auditLogger())
                .isNull();
    }

    @Test
    void theInstanceDefaultsToTheHostAndTheControllerIsAQualifiedName() {
        assertThat(new Settings().reportingController("c").settings().reportingInstance())
                .isNotBlank();
        assertThat(valid().reportingController("a.b/" + "x".repeat(63))
                        .settings()
                        .reportingController())
                .endsWith("x");
        for (String bad : new String[] {"a.b/" + "x".repeat(64), "A.b/x", "a.b/", "/x", "a b", "a.b/-x"}) {
            assertThatIllegalArgumentException()
                    .as(bad)
                    .isThrownBy(() -> valid().reportingController(bad).settings())
                    .withMessageContaining("reportingController must be a qualified name");
        }
    }
}
