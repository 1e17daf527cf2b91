package org.jupyterhub.kubespawner.events;

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
 * {@link Outcome} instead of an exception.
 */
final class KubernetesEventWriter {

  enum Outcome {
    WRITTEN,
    ALREADY_EXISTS,
    NOT_FOUND,
    FAILED
  }

  private static final Logger LOG = LoggerFactory.getLogger(KubernetesEventWriter.class);
  private static final PatchContext MERGE_PATCH = PatchContext.of(PatchType.JSON_MERGE);

  private final KubernetesClient client;
  private final TroubleLog trouble = new TroubleLog(LOG, "event writes failed");

  KubernetesEventWriter(KubernetesClient client) {
    this.client = client;
  }

  Outcome create(Event event) {
    try {
      client.events().v1().events().inNamespace(event.getMetadata().getNamespace()).resource(event).create();
      trouble.fine();
      return Outcome.WRITTEN;
    } catch (RuntimeException e) {
      return failed("create", event.getMetadata().getNamespace(), event.getMetadata().getName(), e);
    }
  }

  /** Sets {@code series} to the given count and time; a merge patch, so nothing else of the Event is touched. */
  Outcome patchSeries(String namespace, String name, int count, Instant lastObserved) {
    String patch =
        "{\"series\":{\"count\":%d,\"lastObservedTime\":\"%s\"}}"
            .formatted(count, MicroTimes.format(lastObserved));
    try {
      existing(namespace, name).patch(MERGE_PATCH, patch);
      trouble.fine();
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
    try {
      Event existing = existing(namespace, name).patch(MERGE_PATCH, "{}");
      trouble.fine();
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
    Event stub = new EventBuilder().withNewMetadata().withNamespace(namespace).withName(name).endMetadata().build();
    return client.events().v1().events().inNamespace(namespace).resource(stub);
  }

  private Outcome failed(String verb, String namespace, String name, RuntimeException e) {
    if (e instanceof KubernetesClientException k) {
      if (k.getCode() == HttpURLConnection.HTTP_CONFLICT && "create".equals(verb)) {
        return Outcome.ALREADY_EXISTS; // not trouble: a restart or a second replica, see EventNames
      }
      if (k.getCode() == HttpURLConnection.HTTP_NOT_FOUND && !"create".equals(verb)) {
        return Outcome.NOT_FOUND; // the Event expired (the API server's event TTL) or was deleted
      }
      trouble.trouble(
          "Could not {} Event {}/{}: HTTP {} {}", verb, namespace, name, k.getCode(), k.getMessage());
    } else {
      trouble.trouble("Could not {} Event {}/{}: {}", verb, namespace, name, e.toString());
    }
    return Outcome.FAILED;
  }
}
