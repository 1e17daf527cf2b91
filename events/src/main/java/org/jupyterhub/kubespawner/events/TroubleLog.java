package org.jupyterhub.kubespawner.events;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Logs the start and the end of a spell of trouble at WARN/INFO and everything in between at DEBUG, so that an
 * outage or an overflow, which can repeat thousands of times a second, does not become a log storm itself.
 */
final class TroubleLog {

    private final Logger log;
    private final String what;
    private final AtomicLong spell = new AtomicLong();

    /** @param what names the trouble in the recovery message, e.g. "event writes failed" */
    TroubleLog(Logger log, String what) {
        this.log = log;
        this.what = what;
    }

    void trouble(String message, Object... args) {
        if (spell.getAndIncrement() == 0) {
            log.warn(message + " (repeats are logged at DEBUG until this recovers)", args);
        } else if (log.isDebugEnabled()) {
            log.debug(message, args);
        }
    }

    void fine() {
        long times = spell.getAndSet(0);
        if (times > 0) {
            log.info("Recovered: {} {} time(s) meanwhile", what, times);
        }
    }
}
