package org.jupyterhub.kubespawner.e2e.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.jupyterhub.kubespawner.e2e.ControlPlane;
import org.jupyterhub.kubespawner.e2e.HelmRelease;

/**
 * The chart with {@code operator.watchAllNamespaces=true}: the operator's rules hold in any namespace (a ClusterRole),
 * still nothing more; the hub stays confined to its own namespace; one replica means no Lease permissions; and
 * uninstalling removes the cluster-wide objects.
 */
class ClusterWideChartIT {

    @RegisterExtension
    static final ControlPlane cluster = ControlPlane.perClass();

    private static HelmRelease release;
    private static String other;

    @BeforeAll
    static void install() {
        cluster.applyCrds();
        release = HelmRelease.install(
                cluster, "wide", cluster.namespace(), "operator.watchAllNamespaces=true", "templates=null");
        other = cluster.cluster().createNamespace("clusterwidechartit-other");
    }

    @AfterAll
    static void uninstall() {
        if (release != null) {
            release.close();
            assertThat(cluster.admin()
                            .rbac()
                            .clusterRoles()
                            .withName(cluster.namespace() + "-wide-jupyter-notebook-operator" + "-operator")
                            .get())
                    .as("ClusterRole removed by helm uninstall")
                    .isNull();
        }
        if (other != null) {
            cluster.cluster().deleteNamespace(other);
        }
    }

    @Test
    void operatorHasItsRulesInEveryNamespaceAndNothingMore() {
        var operator = cluster.clientFor(cluster.namespace(), release.fullname());
        PermissionMatrix inOther =
                PermissionMatrix.ask(operator, "the operator (watching all namespaces)", other, List.of());
        System.out.println(inOther.table());
        assertThat(inOther.allowed())
                .containsExactlyInAnyOrderElementsOf(ExpectedPermissions.expand(ExpectedPermissions.OPERATOR));
        assertThat(PermissionMatrix.ask(operator, "the operator", cluster.namespace(), List.of())
                        .allowed())
                .as("no Lease rights with one replica")
                .containsExactlyInAnyOrderElementsOf(ExpectedPermissions.expand(ExpectedPermissions.OPERATOR));
    }

    @Test
    void hubStaysInItsNamespace() {
        var hub = cluster.clientFor(cluster.namespace(), "hub");
        assertThat(PermissionMatrix.ask(hub, "the hub", cluster.namespace(), List.of())
                        .allowed())
                .containsExactlyInAnyOrderElementsOf(ExpectedPermissions.expand(ExpectedPermissions.HUB));
        assertThat(PermissionMatrix.ask(hub, "the hub", other, List.of()).allowed())
                .isEmpty();
    }
}
