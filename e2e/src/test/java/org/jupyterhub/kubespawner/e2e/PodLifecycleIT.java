package org.jupyterhub.kubespawner.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** kwok's fake nodes are Ready, and a plain pod gets scheduled, Running, Ready and a loopback IP. */
class PodLifecycleIT {

    @RegisterExtension
    static final ControlPlane cluster = ControlPlane.perClass();

    @Test
    void fakeNodesAreReadyWithPodCidrsFromTheConfiguredPrefix() {
        List<Node> nodes =
                cluster.admin().nodes().withLabel("type", "kwok").list().getItems();
        String prefix = cluster.cluster().podCidrPrefix().replace(".", "\\.");

        assertThat(nodes).isNotEmpty().allSatisfy(node -> {
            assertThat(node.getMetadata().getAnnotations()).containsEntry("kwok.x-k8s.io/node", "fake");
            assertThat(node.getSpec().getPodCIDR()).matches(prefix + "\\.\\d+\\.0/24");
            assertThat(node.getStatus().getConditions())
                    .anySatisfy(
                            c -> assertThat(c.getType() + "=" + c.getStatus()).isEqualTo("Ready=True"));
        });
    }

    @Test
    void plainPodRunsAndGetsAnIpThatALocalProcessCanListenOn() throws IOException {
        Pod pod = PausePods.pausePod("plain").build();

        cluster.admin().pods().inNamespace(cluster.namespace()).resource(pod).create();
        Pod running = cluster.admin()
                .pods()
                .inNamespace(cluster.namespace())
                .withName("plain")
                .waitUntilCondition(PodLifecycleIT::runningAndReady, 60, TimeUnit.SECONDS);

        String nodeName = running.getSpec().getNodeName();
        assertThat(nodeName).startsWith("kwok-node-");
        Node node = cluster.admin().nodes().withName(nodeName).get();
        String subnet = node.getSpec().getPodCIDR().replaceFirst("\\.0/24$", ".");
        String ip = running.getStatus().getPodIP();
        assertThat(ip).startsWith(subnet);
        assertThat(running.getStatus().getContainerStatuses())
                .singleElement()
                .satisfies(s -> assertThat(s.getState().getRunning()).isNotNull());
        // With the default loopback pod CIDRs a test can stand in for the pod's server on the pod's own IP.
        InetAddress address = InetAddress.getByName(ip);
        if (address.isLoopbackAddress()) {
            try (ServerSocket server = new ServerSocket(0, 1, address)) {
                assertThat(server.getInetAddress().getHostAddress()).isEqualTo(ip);
            }
        }
    }

    private static boolean runningAndReady(Pod pod) {
        return pod != null
                && pod.getStatus() != null
                && "Running".equals(pod.getStatus().getPhase())
                && pod.getStatus().getPodIP() != null
                && pod.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }
}
