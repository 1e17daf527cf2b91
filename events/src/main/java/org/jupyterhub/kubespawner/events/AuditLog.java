package org.jupyterhub.kubespawner.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ObjectReference;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;

/**
 * The second sink: one JSON object per line on a dedicated logger, with the Event's own field names, for SIEM
 * ingestion. Unlike the Event objects (which expire after the API server's event TTL, one hour by default) a log
 * pipeline keeps them as long as the audit policy requires; and it also sees what the API server never got,
 * through {@code outcome}.
 */
final class AuditLog {

    /** What became of one occurrence; the {@code outcome} field of the line. */
    enum Outcome {
        /** Written as a new Event. */
        CREATED("created"),
        /** Counted into an existing Event's series, and the series written. */
        AGGREGATED("aggregated"),
        /** Counted into the series in memory; written with a later occurrence, the rate limit's refill, or close. */
        PENDING("pending"),
        /** Dropped: the regarding object exceeded its rate limit. */
        DROPPED_RATE_LIMITED("dropped_rate_limited"),
        /** Dropped: the API server refused or failed the write. */
        DROPPED_API_ERROR("dropped_api_error"),
        /** Dropped: the Event's namespace is being deleted, see {@link NamespaceGate}. */
        DROPPED_NAMESPACE_TERMINATING("dropped_namespace_terminating");

        final String value;

        Outcome(String value) {
            this.value = value;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Logger logger;
    private final String reportingController;
    private final String reportingInstance;

    AuditLog(Logger logger, String reportingController, String reportingInstance) {
        this.logger = logger;
        this.reportingController = reportingController;
        this.reportingInstance = reportingInstance;
    }

    void write(Occurrence occurrence, Series series, Outcome outcome) {
        if (logger.isInfoEnabled()) {
            logger.info("{}", line(occurrence, series, outcome));
        }
    }

    String line(Occurrence occurrence, Series series, Outcome outcome) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("outcome", outcome.value);
        line.put("namespace", series.namespace);
        line.put("name", series.name);
        line.put("type", occurrence.type().apiValue());
        line.put("reason", occurrence.reason());
        line.put("action", occurrence.action());
        line.put("note", occurrence.note());
        line.put("regarding", reference(occurrence.regarding()));
        if (occurrence.related() != null) {
            line.put("related", reference(occurrence.related()));
        }
        line.put("reportingController", reportingController);
        line.put("reportingInstance", reportingInstance);
        line.put("eventTime", MicroTimes.format(series.first.observed()));
        line.put("observedTime", MicroTimes.format(occurrence.observed()));
        if (series.apiCount() > 1) {
            Map<String, Object> seriesField = new LinkedHashMap<>();
            seriesField.put("count", series.apiCount());
            seriesField.put("lastObservedTime", MicroTimes.format(series.lastObserved()));
            line.put("series", seriesField);
        }
        try {
            return JSON.writeValueAsString(line);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings and numbers always serialises", e);
        }
    }

    private static Map<String, Object> reference(ObjectReference reference) {
        Map<String, Object> fields = new LinkedHashMap<>();
        putIfPresent(fields, "apiVersion", reference.getApiVersion());
        putIfPresent(fields, "kind", reference.getKind());
        putIfPresent(fields, "namespace", reference.getNamespace());
        putIfPresent(fields, "name", reference.getName());
        putIfPresent(fields, "uid", reference.getUid());
        putIfPresent(fields, "resourceVersion", reference.getResourceVersion());
        return fields;
    }

    private static void putIfPresent(Map<String, Object> fields, String key, String value) {
        if (value != null) {
            fields.put(key, value);
        }
    }
}
