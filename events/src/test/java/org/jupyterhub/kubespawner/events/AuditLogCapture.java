package org.jupyterhub.kubespawner.events;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.UUID;
import org.slf4j.LoggerFactory;

/** Collects the JSON lines of one recorder, on a logger name of its own so tests do not see each other's lines. */
final class AuditLogCapture {

    private static final ObjectMapper JSON = new ObjectMapper();

    final String loggerName = "test.audit." + UUID.randomUUID();
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>() {
        @Override
        protected void append(ILoggingEvent event) {
            event.getThreadName(); // logback reads the thread name lazily: take it now, on the logging thread
            super.append(event);
        }
    };

    AuditLogCapture() {
        Logger logger = (Logger) LoggerFactory.getLogger(loggerName);
        logger.setLevel(Level.INFO);
        logger.setAdditive(false);
        appender.start();
        logger.addAppender(appender);
    }

    /** One JSON line and the thread that logged it. */
    record Line(JsonNode json, String thread) {}

    List<JsonNode> lines() {
        return captured().stream().map(Line::json).toList();
    }

    /** The lines in the order they were logged, each with its writer thread's name. */
    List<Line> captured() {
        List<ILoggingEvent> events;
        synchronized (appender) { // AppenderBase appends under the appender's lock; the writer threads append
            events = List.copyOf(appender.list);
        }
        return events.stream()
                .map(event -> {
                    try {
                        return new Line(JSON.readTree(event.getFormattedMessage()), event.getThreadName());
                    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                        throw new UncheckedIOException(e);
                    }
                })
                .toList();
    }
}
