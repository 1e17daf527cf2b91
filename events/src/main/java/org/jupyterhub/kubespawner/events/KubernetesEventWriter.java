package org.jupyterhub.kubespawner.events;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusDetails;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.api.model.events.v1.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.HttpURLConnection;
import java.time.Instant;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only code that talks to the API server. It uses nothing but {@code create} and {@code patch} on
 * {@code events.events.k8s.io}, which is the whole RBAC the recorder needs, and turns every failure into an
 * {@link Outcome} instead of an exception. Shared by all writer threads (the fabric8 client is thread-safe).
 *
 * <p>Before each request it asks the {@link NamespaceGate} whether the namespace was given up on, and tells it
 * when the API server refuses a create because the namespace is being deleted.
 */
final class KubernetesEventWriter {

    enum Outcome {
        WRITTEN,
        ALREADY_EXISTS,
        NOT_FOUND,
        /** The namespace is being deleted, or is gone: refused now, or given up on after an earlier refusal. */
        NAMESPACE_TERMINATING,
        FAILED
    }

    /**
     * The StatusCause type the NamespaceLifecycle admission plugin adds when it refuses to create anything in a
     * terminating namespace ({@code v1.NamespaceTerminatingCause} in k8s.io/api; checked on kube-apiserver 1.34).
     */
    static final String NAMESPACE_TERMINATING_CAUSE = "NamespaceTerminating";

    private static final Logger LOG = LoggerFactory.getLogger(KubernetesEventWriter.class);
    private static final PatchContext MERGE_PATCH = PatchContext.of(PatchType.JSON_MERGE);

    private final KubernetesClient client;
    private final NamespaceGate namespaces;
    private final TroubleLog trouble = new TroubleLog(LOG, "event writes failed");

    KubernetesEventWriter(KubernetesClient client, NamespaceGate namespaces) {
        this.client = client;
        this.namespaces = namespaces;
    }

    Outcome create(Event event) {
        String namespace = event.getMetadata().getNamespace();
        if (namespaces.isGivenUp(namespace)) {
            return Outcome.NAMESPACE_TERMINATING;
        }
        try {
            client.events().v1().events().inNamespace(namespace).resource(event).create();
            written(namespace);
            return Outcome.WRITTEN;
        } catch (RuntimeException e) {
            return failed("create", namespace, event.getMetadata().getName(), e);
        }
    }

    /** Sets {@code series} to the given count and time; a merge patch, so nothing else of the Event is touched. */
    Outcome patchSeries(String namespace, String name, int count, Instant lastObserved) {
        String patch = "{\"series\":{\"count\":%d,\"lastObservedTime\":\"%s\"}}"
                .formatted(count, MicroTimes.format(lastObserved));
        if (namespaces.isGivenUp(namespace)) {
            return Outcome.NAMESPACE_TERMINATING;
        }
        try {
            existing(namespace, name).patch(MERGE_PATCH, patch);
            written(namespace);
            return Outcome.WRITTEN;
        } catch (RuntimeException e) {
            return failed("patch", namespace, name, e);
        }
    }

    /**
     * The count of an existing Event, read with an empty merge patch: it changes nothing and returns the object, so
     * the recorder needs no {@code get} permission.
     */
    OptionalInt currentCount(String namespace, String name) {
        if (namespaces.isGivenUp(namespace)) {
            return OptionalInt.empty();
        }
        try {
            Event existing = existing(namespace, name).patch(MERGE_PATCH, "{}");
            written(namespace);
            return OptionalInt.of(
                    existing.getSeries() != null && existing.getSeries().getCount() != null
                            ? existing.getSeries().getCount()
                            : 1);
        } catch (RuntimeException e) {
            failed("read (empty patch)", namespace, name, e);
            return OptionalInt.empty();
        }
    }

    /**
     * A handle on an Event by name that carries a stub item: with an item at hand fabric8 patches straight away,
     * whereas {@code withName(name).patch(...)} would first GET the object, which needs a permission we do not ask
     * for.
     */
    private Resource<Event> existing(String namespace, String name) {
        Event stub = new EventBuilder()
                .withNewMetadata()
                .withNamespace(namespace)
                .withName(name)
                .endMetadata()
                .build();
        return client.events().v1().events().inNamespace(namespace).resource(stub);
    }

    private void written(String namespace) {
        trouble.fine();
        namespaces.accepted(namespace);
    }

    private Outcome failed(String verb, String namespace, String name, RuntimeException e) {
        if (e instanceof KubernetesClientException k) {
            if (k.getCode() == HttpURLConnection.HTTP_CONFLICT && "create".equals(verb)) {
                return Outcome.ALREADY_EXISTS; // not trouble: a restart or a second replica, see EventNames
            }
            String gone = namespaceGone(k, namespace);
            if (gone != null) {
                namespaces.refused(namespace, gone); // logs once per namespace; not a spell of general trouble
                return Outcome.NAMESPACE_TERMINATING;
            }
            if (k.getCode() == HttpURLConnection.HTTP_NOT_FOUND && !"create".equals(verb)) {
                return Outcome.NOT_FOUND; // the Event expired (the API server's event TTL) or was deleted
            }
            trouble.trouble("Could not {} Event {}/{}: HTTP {} {}", verb, namespace, name, k.getCode(), k.getMessage());
        } else {
            trouble.trouble("Could not {} Event {}/{}: {}", verb, namespace, name, e.toString());
        }
        return Outcome.FAILED;
    }

    /**
     * Why the API server refused because {@code namespace} is being deleted, or {@code null} when that is not the
     * reason. Terminating: the NamespaceLifecycle admission plugin answers a create with 403 Forbidden, a
     * {@value #NAMESPACE_TERMINATING_CAUSE} cause and the message "unable to create new content in namespace X
     * because it is being terminated". Gone: 404 whose details name the namespace itself (kind
     * {@code namespaces}), not the Event.
     */
    static String namespaceGone(KubernetesClientException e, String namespace) {
        Status status = e.getStatus();
        StatusDetails details = status == null ? null : status.getDetails();
        if (e.getCode() == HttpURLConnection.HTTP_FORBIDDEN) {
            boolean terminatingCause = details != null
                    && details.getCauses() != null
                    && details.getCauses().stream().anyMatch(c -> NAMESPACE_TERMINATING_CAUSE.equals(c.getReason()));
            String message = status == null ? e.getMessage() : status.getMessage();
            if (terminatingCause || (message != null && message.contains("because it is being terminated"))) {
                return "HTTP 403: " + (message == null ? NAMESPACE_TERMINATING_CAUSE : message);
            }
        }
        if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND
                && details != null
                && "namespaces".equals(details.getKind())
                && namespace.equals(details.getName())) {
            return "HTTP 404: namespace " + namespace + " not found";
        }
        return null;
    }
}
