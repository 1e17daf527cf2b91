package org.jupyterhub.kubespawner.operator.instance;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.jupyterhub.kubespawner.operator.template.CompiledTemplates;
import org.jupyterhub.kubespawner.operator.vocabulary.Reason;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus.Phase;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancestatus.ResourcesBuilder;

/** What {@link ServerAddressLookup} reads, and when it reads nothing. */
class ServerAddressLookupTest {

    private static final String TEMPLATE = """
        apiVersion: kubespawner.jupyterhub.org/v1
        kind: JupyterNotebookInstanceTemplate
        metadata: {name: remote, namespace: users, generation: 2, uid: t-uid}
        spec:
          variables: [{name: user, required: true}]
          pods: [{name: 'nb-{user}', spec: {containers: [{name: notebook, image: 'quay.io/jupyter/base-notebook'}]}}]
          services: [{name: 'lb-{user}', spec: {type: LoadBalancer, ports: [{port: 80, targetPort: 8888}]}}]
          policy: {allowedImages: ['quay.io/**']}
          serverUrlFrom: {kind: Service, name: 'lb-{user}'}
        """;

    private final List<String> reads = new ArrayList<>();
    private HasMetadata service;
    private final Provisioning.Objects objects = new Provisioning.Objects() {
        @Override
        public HasMetadata cached(HasMetadata desired) {
            reads.add(
                    "cached " + desired.getKind() + " " + desired.getMetadata().getName());
            return service;
        }

        @Override
        public HasMetadata create(HasMetadata object) {
            throw new AssertionError("nothing is created");
        }

        @Override
        public HasMetadata read(HasMetadata desired) {
            reads.add("read " + desired.getKind() + " " + desired.getMetadata().getName());
            return null;
        }

        @Override
        public void dryRun(HasMetadata object) {
            throw new AssertionError("nothing is created");
        }
    };
    private final ServerAddressLookup lookup = new ServerAddressLookup(objects, new CompiledTemplates());
    private final JupyterNotebookInstanceTemplate template =
            Serialization.unmarshal(TEMPLATE, JupyterNotebookInstanceTemplate.class);
    private final NotebookPodWatch.Seen ready = new NotebookPodWatch.Seen(new PodObservation.Ready("10.0.0.5"), null);

    private static JupyterNotebookInstance instance() {
        return Serialization.unmarshal("""
                apiVersion: kubespawner.jupyterhub.org/v1
                kind: JupyterNotebookInstance
                metadata: {name: ada, namespace: users, uid: i-uid}
                spec: {template: {name: remote}, variables: {user: ada}}
                """, JupyterNotebookInstance.class);
    }

    private static Spawn spawn(String serviceName) {
        return new Spawn(
                2,
                "nb-ada",
                8888,
                List.of(
                        new ResourcesBuilder()
                                .withKind("Service")
                                .withName(serviceName)
                                .build(),
                        new ResourcesBuilder()
                                .withKind("Pod")
                                .withName("nb-ada")
                                .build()));
    }

    private static Service loadBalancer(String ownerUid) {
        return new ServiceBuilder()
                .withNewMetadata()
                .withName("lb-ada")
                .withNamespace("users")
                .addNewOwnerReference()
                .withKind("JupyterNotebookInstance")
                .withName("ada")
                .withUid(ownerUid)
                .withController(true)
                .endOwnerReference()
                .endMetadata()
                .withNewStatus()
                .withNewLoadBalancer()
                .addNewIngress()
                .withHostname("lb-1.elb.example.com")
                .endIngress()
                .endLoadBalancer()
                .endStatus()
                .build();
    }

    @Test
    void theRenderedServiceOfTheSpawnIsReadFromTheCache() {
        service = loadBalancer("i-uid");
        NotebookPodWatch.Seen seen = lookup.look(instance(), template, spawn("lb-ada"), ready);
        assertThat(seen.address()).isEqualTo(new ServerAddress.Reached("http://lb-1.elb.example.com:80"));
        assertThat(seen.observation()).isEqualTo(ready.observation());
        assertThat(reads).containsExactly("cached Service lb-ada");
    }

    @Test
    void anotherInstancesServiceUnderTheNameGivesNoAddress() {
        service = loadBalancer("someone-else");
        assertThat(lookup.look(instance(), template, spawn("lb-ada"), ready).address())
                .isInstanceOfSatisfying(
                        ServerAddress.Refused.class,
                        r -> assertThat(r.message())
                                .contains("Service lb-ada", "template users/remote", "not this instance's"));
    }

    @Test
    void anObjectOutsideTheSpawnIsNeverRead() {
        assertThat(lookup.look(instance(), template, spawn("older-name"), ready).address())
                .isInstanceOfSatisfying(
                        ServerAddress.Refused.class,
                        r -> assertThat(r.message()).contains("not among this server's objects", "generation 2"));
        assertThat(reads).isEmpty();
    }

    @Test
    void aReportedUrlIsKeptWhileThePodKeepsItsIpWithoutReading() {
        JupyterNotebookInstance running = instance();
        JupyterNotebookInstanceStatus status = new JupyterNotebookInstanceStatus();
        status.setPhase(Phase.READY);
        status.setPodIP("10.0.0.5");
        status.setUrl("http://203.0.113.7:80");
        running.setStatus(status);
        assertThat(lookup.look(running, template, spawn("lb-ada"), ready).address())
                .isEqualTo(new ServerAddress.Reached("http://203.0.113.7:80"));
        assertThat(reads).isEmpty();

        status.setPodIP("10.0.0.6"); // the pod was replaced: read again
        service = loadBalancer("i-uid");
        assertThat(lookup.look(running, template, spawn("lb-ada"), ready).address())
                .isEqualTo(new ServerAddress.Reached("http://lb-1.elb.example.com:80"));
    }

    @Test
    void withoutADeclarationOrAReadyPodNothingIsAdded() {
        template.getSpec().setServerUrlFrom(null);
        assertThat(lookup.look(instance(), template, spawn("lb-ada"), ready)).isSameAs(ready);
        NotebookPodWatch.Seen starting =
                new NotebookPodWatch.Seen(new PodObservation.Starting(Reason.PodStarting, "pending"), null);
        assertThat(lookup.look(instance(), template, spawn("lb-ada"), starting)).isSameAs(starting);
        assertThat(reads).isEmpty();
    }
}
