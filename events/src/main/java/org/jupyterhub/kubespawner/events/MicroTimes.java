package org.jupyterhub.kubespawner.events;

import io.fabric8.kubernetes.api.model.MicroTime;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Formats instants the way the API server's MicroTime fields expect: RFC 3339 with microseconds, in UTC. */
final class MicroTimes {

    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private MicroTimes() {}

    static String format(Instant instant) {
        return FORMAT.format(instant);
    }

    static MicroTime of(Instant instant) {
        return new MicroTime(format(instant));
    }
}
