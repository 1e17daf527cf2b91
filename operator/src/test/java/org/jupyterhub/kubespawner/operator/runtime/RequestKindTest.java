package org.jupyterhub.kubespawner.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RequestKindTest {

    private static final String INSTANCES =
            "/apis/kubespawner.jupyterhub.org/v1/namespaces/hub/jupyternotebookinstances";

    @Test
    void namesRequestsAsTheAuditLogDoes() {
        assertThat(RequestKind.of("PATCH", INSTANCES + "/jupyter-ada/status", null))
                .isEqualTo(new RequestKind("patch", "jupyternotebookinstances/status"));
        assertThat(RequestKind.of("GET", INSTANCES, "watch=true&resourceVersion=5"))
                .isEqualTo(new RequestKind("watch", "jupyternotebookinstances"));
        assertThat(RequestKind.of("GET", INSTANCES, "limit=500"))
                .isEqualTo(new RequestKind("list", "jupyternotebookinstances"));
        assertThat(RequestKind.of("GET", "/api/v1/namespaces/hub/pods/jupyter-ada", null))
                .isEqualTo(new RequestKind("get", "pods"));
        assertThat(RequestKind.of("POST", "/api/v1/namespaces/hub/pods", null))
                .isEqualTo(new RequestKind("create", "pods"));
        assertThat(RequestKind.of("POST", "/apis/events.k8s.io/v1/namespaces/hub/events", null))
                .isEqualTo(new RequestKind("create", "events"));
        assertThat(RequestKind.of("PUT", "/apis/coordination.k8s.io/v1/namespaces/jno/leases/jno", null))
                .isEqualTo(new RequestKind("update", "leases"));
        assertThat(RequestKind.of("DELETE", "/api/v1/namespaces/hub/pods", null))
                .isEqualTo(new RequestKind("deletecollection", "pods"));
        // cluster-scoped objects, and namespaces themselves
        assertThat(RequestKind.of("GET", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/x", null))
                .isEqualTo(new RequestKind("get", "customresourcedefinitions"));
        assertThat(RequestKind.of("GET", "/api/v1/namespaces/hub", null))
                .isEqualTo(new RequestKind("get", "namespaces"));
        assertThat(RequestKind.of("GET", "/api/v1/namespaces", null)).isEqualTo(new RequestKind("list", "namespaces"));
    }

    @Test
    void pathsThatAreNoResourceStayOneLabel() {
        assertThat(RequestKind.of("GET", "/version", null)).isEqualTo(new RequestKind("get", "other"));
        assertThat(RequestKind.of("GET", "/apis", null)).isEqualTo(new RequestKind("get", "other"));
        assertThat(RequestKind.of("GET", null, null)).isEqualTo(new RequestKind("get", "other"));
    }
}
