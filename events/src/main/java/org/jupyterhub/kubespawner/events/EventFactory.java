package org.jupyterhub.kubespawner.events;

import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.api.model.events.v1.EventBuilder;
import io.fabric8.kubernetes.api.model.events.v1.EventSeriesBuilder;

/** Builds the events.k8s.io/v1 Event object for a series, from its first occurrence. */
final class EventFactory {

    private final String reportingController;
    private final String reportingInstance;

    EventFactory(String reportingController, String reportingInstance) {
        this.reportingController = reportingController;
        this.reportingInstance = reportingInstance;
    }

    Event toEvent(Series series) {
        Occurrence first = series.first;
        EventBuilder event = new EventBuilder()
                .withNewMetadata()
                .withNamespace(series.namespace)
                .withName(series.name)
                .endMetadata()
                .withEventTime(MicroTimes.of(first.observed()))
                .withType(first.type().apiValue())
                .withReason(first.reason())
                .withAction(first.action())
                .withNote(first.note())
                .withRegarding(first.regarding())
                .withRelated(first.related())
                .withReportingController(reportingController)
                .withReportingInstance(reportingInstance);
        if (series.apiCount() > 1) {
            // The API rejects a series with a count below 2: a single occurrence has none.
            event.withSeries(new EventSeriesBuilder()
                    .withCount(series.apiCount())
                    .withLastObservedTime(MicroTimes.of(series.lastObserved()))
                    .build());
        }
        return event.build();
    }
}
