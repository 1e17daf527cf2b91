package org.jupyterhub.kubespawner.examples.costcentre;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.jupyterhub.kubespawner.events.EventAction;
import org.jupyterhub.kubespawner.events.EventReason;
import org.jupyterhub.kubespawner.events.EventRecorder;
import org.jupyterhub.kubespawner.events.EventType;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;

/**
 * An example extension controller: it watches JupyterNotebookInstances in one namespace, reads the extension
 * property {@value CostCentreDecision#PROPERTY}, and records its own Events (reporting controller
 * {@value #REPORTING_CONTROLLER}) when a server starts running against a valid cost centre, or when the property is
 * invalid. It never writes instances: extensions observe, and the notebook operator never reads the property.
 *
 * <p>Permissions: get, list, watch on {@code jupyternotebookinstances}; create, patch on
 * {@code events.events.k8s.io}. Run it with {@code java ... CostCentreController <namespace>} and a kubeconfig.
 */
public final class CostCentreController implements AutoCloseable {

    /** The name this controller signs its Events with. */
    public static final String REPORTING_CONTROLLER = "example.org/cost-centre-controller";

    /** The Events' reasons. */
    public enum Reason implements EventReason {
        /** A Ready server was charged to its cost centre. */
        CostCentreCharged,
        /** The property's value breaks the rules. */
        CostCentreRejected
    }

    /** The Events' action. */
    public enum Action implements EventAction {
        /** Charging a server to a cost centre. */
        Charge
    }

    private final EventRecorder events;
    private final SharedIndexInformer<JupyterNotebookInstance> informer;
    /** The last decision recorded per instance uid, so each is recorded once, not on every update or resync. */
    private final Map<String, CostCentreDecision> recorded = new ConcurrentHashMap<>();

    private CostCentreController(KubernetesClient client, String namespace) {
        events = EventRecorder.builder(client)
                .reportingController(REPORTING_CONTROLLER)
                .build();
        informer = client.resources(JupyterNotebookInstance.class)
                .inNamespace(namespace)
                .inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(JupyterNotebookInstance instance) {
                        decide(instance);
                    }

                    @Override
                    public void onUpdate(JupyterNotebookInstance old, JupyterNotebookInstance instance) {
                        decide(instance);
                    }

                    @Override
                    public void onDelete(JupyterNotebookInstance instance, boolean unknownFinalState) {
                        recorded.remove(instance.getMetadata().getUid());
                    }
                });
    }

    /**
     * Starts watching a namespace.
     *
     * @param client the client to watch with and to write Events with
     * @param namespace the namespace of the instances
     * @return the running controller; close it to stop
     */
    public static CostCentreController start(KubernetesClient client, String namespace) {
        return new CostCentreController(client, namespace);
    }

    private void decide(JupyterNotebookInstance instance) {
        CostCentreDecision decision = CostCentreDecision.of(instance);
        if (decision instanceof CostCentreDecision.Ignore || decision instanceof CostCentreDecision.Wait) {
            return;
        }
        if (decision.equals(recorded.put(instance.getMetadata().getUid(), decision))) {
            return;
        }
        if (decision instanceof CostCentreDecision.Charge charge) {
            events.record(instance, EventType.NORMAL, Reason.CostCentreCharged, Action.Charge, charge.note());
        } else if (decision instanceof CostCentreDecision.Reject reject) {
            events.record(instance, EventType.WARNING, Reason.CostCentreRejected, Action.Charge, reject.note());
        }
    }

    @Override
    public void close() {
        informer.close();
        events.close();
    }

    /**
     * Runs the controller until the process is stopped.
     *
     * @param args the namespace to watch
     * @throws InterruptedException when interrupted
     */
    public static void main(String[] args) throws InterruptedException {
        if (args.length != 1) {
            System.err.println("usage: CostCentreController <namespace>");
            System.exit(2);
        }
        try (KubernetesClient client = new KubernetesClientBuilder().build();
                CostCentreController controller = start(client, args[0])) {
            new CountDownLatch(1).await();
        }
    }
}
