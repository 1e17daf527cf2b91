package org.jupyterhub.kubespawner.events;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The fixture of the recorder tests: a builder with this project's names and an audit log of its own, and every
 * recorder started through it closed after each test. Register it as an instance field,
 * {@code @RegisterExtension final Recorders recorders = new Recorders(() -> client);}, so it sees the client the
 * mock server injects into each test instance.
 */
final class Recorders implements AfterEachCallback {

    static final String CONTROLLER = "kubespawner.jupyterhub.org/operator";

    final AuditLogCapture audit = new AuditLogCapture();
    private final Supplier<KubernetesClient> client;
    private final List<EventRecorder> started = new CopyOnWriteArrayList<>();

    Recorders(Supplier<KubernetesClient> client) {
        this.client = client;
    }

    /** @return a builder writing as the operator's first replica, its JSON lines to {@link #audit} */
    EventRecorder.Builder builder() {
        return EventRecorder.builder(client.get())
                .reportingController(CONTROLLER)
                .reportingInstance("operator-0")
                .auditLogger(audit.loggerName);
    }

    /** @return the built recorder, closed after the test */
    EventRecorder start(EventRecorder.Builder builder) {
        EventRecorder recorder = builder.build();
        started.add(recorder);
        return recorder;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        started.forEach(EventRecorder::close);
        started.clear();
    }

    /** @return every request the mock server has received since the last call, oldest first */
    static List<RecordedRequest> takeAllRequests(KubernetesMockServer server) throws InterruptedException {
        List<RecordedRequest> requests = new ArrayList<>();
        for (RecordedRequest r; (r = server.takeRequest(10, TimeUnit.MILLISECONDS)) != null; ) {
            requests.add(r);
        }
        return requests;
    }

    /** @return a pod to record events about: namespace, name and the uid {@code uid-<name>} */
    static Pod pod(String namespace, String name) {
        return new PodBuilder()
                .withNewMetadata()
                .withNamespace(namespace)
                .withName(name)
                .withUid("uid-" + name)
                .endMetadata()
                .build();
    }
}
