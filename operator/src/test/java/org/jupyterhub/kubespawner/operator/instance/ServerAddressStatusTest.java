package org.jupyterhub.kubespawner.operator.instance;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.jupyterhub.kubespawner.operator.Examples;
import org.jupyterhub.kubespawner.operator.template.TemplateResolution;
import org.jupyterhub.kubespawner.operator.vocabulary.ConditionTypes;
import org.jupyterhub.kubespawner.operator.vocabulary.Reason;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus.Phase;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancestatus.ResourcesBuilder;

/** The status of a ready pod whose template reaches it through an object (spec.serverUrlFrom). */
class ServerAddressStatusTest {

    private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    private final InstanceStatusAggregator aggregator = new InstanceStatusAggregator(TIMEOUT);
    private final Spawn spawn = new Spawn(
            3,
            "jupyter-ada",
            8888,
            List.of(
                    new ResourcesBuilder()
                            .withKind("Service")
                            .withName("lb-ada")
                            .withState("Created")
                            .build(),
                    new ResourcesBuilder()
                            .withKind("Pod")
                            .withName("jupyter-ada")
                            .withState("Created")
                            .build()));

    private InstanceStatusAggregator.Result status(ServerAddress address, Instant now) {
        InstanceFacts facts = new InstanceFacts(
                7,
                new TemplateResolution.Resolved(Examples.template()),
                null,
                null,
                spawn,
                new PodObservation.Ready("10.1.2.3"),
                T0,
                false,
                InstanceFacts.LifecycleFacts.NONE,
                null,
                address);
        return aggregator.aggregate(null, facts, now);
    }

    @Test
    void anAwaitedAddressKeepsTheInstanceProvisioningWithoutAUrlUntilTheTimeout() {
        InstanceStatusAggregator.Result waiting =
                status(new ServerAddress.Awaited("waiting for the load balancer's address of Service lb-ada"), T0);
        JupyterNotebookInstanceStatus s = waiting.status();
        assertThat(s.getPhase()).isEqualTo(Phase.PROVISIONING);
        assertThat(s.getUrl()).isNull();
        assertThat(waiting.reason(ConditionTypes.READY)).isEqualTo(Reason.AddressPending);
        assertThat(s.getMessage()).contains("load balancer's address of Service lb-ada");
        assertThat(s.getResources())
                .extracting(r -> r.getName() + "=" + r.getState())
                .as("the pod itself is ready")
                .containsExactly("lb-ada=Created", "jupyter-ada=Ready");
        assertThat(waiting.recheckAfter()).isPositive();

        InstanceStatusAggregator.Result late = status(
                new ServerAddress.Awaited("waiting for the load balancer's address of Service lb-ada"),
                T0.plus(TIMEOUT));
        assertThat(late.status().getPhase()).isEqualTo(Phase.FAILED);
        assertThat(late.reason(ConditionTypes.READY)).isEqualTo(Reason.ProgressDeadlineExceeded);
        assertThat(late.status().getMessage()).contains("progress timeout", "Service lb-ada");
    }

    @Test
    void aReachedAddressIsTheUrl() {
        InstanceStatusAggregator.Result ready = status(new ServerAddress.Reached("http://203.0.113.7:80"), T0);
        assertThat(ready.status().getPhase()).isEqualTo(Phase.READY);
        assertThat(ready.status().getUrl()).isEqualTo("http://203.0.113.7:80");
        assertThat(ready.status().getPodIP()).isEqualTo("10.1.2.3");
        assertThat(ready.status().getMessage()).isEqualTo("notebook server ready at http://203.0.113.7:80");
    }

    @Test
    void aRefusedAddressFailsTheInstanceWithItsMessageAndNoUrl() {
        InstanceStatusAggregator.Result refused =
                status(new ServerAddress.Refused("Ingress ing-ada (spec.serverUrlFrom of template t) ..."), T0);
        assertThat(refused.status().getPhase()).isEqualTo(Phase.FAILED);
        assertThat(refused.status().getUrl()).isNull();
        assertThat(refused.reason(ConditionTypes.READY)).isEqualTo(Reason.AddressInvalid);
        assertThat(refused.status().getMessage()).startsWith("Ingress ing-ada (spec.serverUrlFrom");
    }
}
