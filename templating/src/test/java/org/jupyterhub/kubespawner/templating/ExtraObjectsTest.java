package org.jupyterhub.kubespawner.templating;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jupyterhub.kubespawner.templating.CompiledTemplateTest.spec;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.jupyterhub.kubespawner.templating.KindAllowlist.Role;
import org.jupyterhub.kubespawner.templating.core.ErrorKind;
import org.jupyterhub.kubespawner.templating.core.TemplateError;

/** extraObjects, serviceAccount and policy.roles against the operator's allowlist. */
class ExtraObjectsTest {

    private static final Map<String, String> BUILTINS = BuiltinVariables.of("inst", "users", "tmpl", "admin");

    private static final ObjectKind<?> WIDGET =
            AllowlistedKinds.custom("example.org/v1", "Widget", "spec.template.spec");

    private static final KindAllowlist ALLOW = new KindAllowlist(
            List.of(
                    AllowlistedKinds.CONFIG_MAP,
                    AllowlistedKinds.SECRET,
                    AllowlistedKinds.SERVICE_ACCOUNT,
                    AllowlistedKinds.ROLE_BINDING,
                    AllowlistedKinds.HTTP_ROUTE,
                    WIDGET),
            Set.of(new Role("ClusterRole", "view"), new Role("Role", "reader")));

    private static final String POD = """
      variables:
      - {name: user, required: true, pattern: '[a-z0-9.-]+'}
      pods:
      - name: jupyter-{user}
        spec:
          containers:
          - {name: notebook, image: 'quay.io/jupyter/base-notebook'}
      """;

    private static CompiledTemplate compile(String extra) {
        return CompiledTemplate.compile(spec(POD + extra), ALLOW);
    }

    private static RenderedObjects render(CompiledTemplate template) {
        assertThat(template.problems()).isEmpty();
        RenderResult result = template.render(Map.of("user", "ada"), BUILTINS);
        assertThat(result).isInstanceOf(RenderResult.Success.class);
        return ((RenderResult.Success) result).objects();
    }

    private static List<TemplateError> renderErrors(CompiledTemplate template) {
        assertThat(template.problems()).isEmpty();
        RenderResult result = template.render(Map.of("user", "ada"), BUILTINS);
        assertThat(result).isInstanceOf(RenderResult.Failure.class);
        return ((RenderResult.Failure) result).errors();
    }

    @Test
    void allowlistedKindsRenderBeforeThePodsInTheirGroupsByWeight() {
        RenderedObjects objects = render(compile("""
          policy: {allowedImages: ['quay.io/**'], roles: [{kind: ClusterRole, name: view}]}
          extraObjects:
          - {apiVersion: gateway.networking.k8s.io/v1, kind: HTTPRoute, name: 'route-{user}', spec: {hostnames: ['{user}.example.org']}}
          - {apiVersion: v1, kind: ConfigMap, name: 'second-{user}', weight: 5, data: {a: b}}
          - {apiVersion: v1, kind: ConfigMap, name: 'first-{user}', weight: -1, data: {user: '{user}'}, labels: {x: '{user}'}}
          - apiVersion: example.org/v1
            kind: Widget
            name: 'w-{user}'
            readiness: {conditionType: Ready}
            spec: {size: 3, template: {spec: {containers: [{name: c, image: 'quay.io/x:1'}]}}}
          """));
        assertThat(objects.objects())
                .extracting(o -> o.object().getKind() + "/" + o.name())
                .containsExactly(
                        "ConfigMap/first-ada",
                        "ConfigMap/second-ada",
                        "HTTPRoute/route-ada",
                        "Widget/w-ada",
                        "Pod/jupyter-ada");
        ConfigMap first = (ConfigMap) objects.objects().get(0).object();
        assertThat(first.getData()).containsEntry("user", "ada");
        assertThat(first.getMetadata().getLabels()).containsEntry("x", "ada");
        assertThat(objects.objects().get(0).retention()).isEqualTo(Retention.DELETE);
        GenericKubernetesResource route =
                (GenericKubernetesResource) objects.objects().get(2).object();
        assertThat(route.getApiVersion()).isEqualTo("gateway.networking.k8s.io/v1");
        assertThat(route.<List<String>>get("spec", "hostnames")).containsExactly("ada.example.org");
        RenderedObject widget = objects.objects().get(3);
        assertThat(widget.readiness()).isEqualTo(new Readiness("Ready", null, null));
        assertThat(((GenericKubernetesResource) widget.object()).<Integer>get("spec", "size"))
                .isEqualTo(3);
    }

    @Test
    void aKindNotOnTheAllowlistMakesTheTemplateInvalid() {
        CompiledTemplate template = compile("""
          policy: {allowedImages: ['**']}
          extraObjects:
          - {apiVersion: apps/v1, kind: Deployment, name: 'd-{user}', spec: {}}
          """);
        assertThat(template.problems()).singleElement().satisfies(p -> {
            assertThat(p.path()).isEqualTo("extraObjects[0]");
            assertThat(p.kind()).isEqualTo(ErrorKind.KIND_NOT_ALLOWED);
            assertThat(p.message()).contains("apps/v1 Deployment", "operator.extraObjects.kinds", "v1 ConfigMap");
        });
        assertThat(CompiledTemplate.compile(spec(POD + """
          policy: {allowedImages: ['**']}
          extraObjects: [{apiVersion: v1, kind: ConfigMap, name: c, data: {}}]
          """)).problems())
                .extracting(TemplateError::kind)
                .containsExactly(ErrorKind.KIND_NOT_ALLOWED);
    }

    @Test
    void fieldsAKindDoesNotHaveAndRetainedServiceAccountsAreProblems() {
        CompiledTemplate template = compile("""
          policy: {allowedImages: ['**']}
          extraObjects:
          - {apiVersion: v1, kind: ConfigMap, name: c, spec: {}, data: {}}
          - {apiVersion: v1, kind: ServiceAccount, name: s, whenDeleted: Retain}
          - {apiVersion: v1, kind: Secret, name: t, stringData: {a: b}, readiness: {conditionType: Ready}}
          - {apiVersion: example.org/v1, kind: Widget, name: w, readiness: {jsonPath: '.spec.x', value: '1'}}
          """);
        assertThat(template.problems())
                .extracting(TemplateError::path)
                .containsExactly(
                        "extraObjects[0].spec",
                        "extraObjects[1].whenDeleted",
                        "extraObjects[2].readiness",
                        "extraObjects[3].readiness");
    }

    @Test
    void theServiceAccountIsBoundToEachListedRoleAndUsedByThePods() {
        RenderedObjects objects = render(compile("""
          policy:
            allowedImages: ['**']
            roles: [{kind: ClusterRole, name: view}, {kind: Role, name: reader}]
          serviceAccount: {name: 'sa-{user}', labels: {who: '{user}'}}
          """));
        assertThat(objects.objects())
                .extracting(o -> o.object().getKind() + "/" + o.name())
                .containsExactly(
                        "ServiceAccount/sa-ada",
                        "RoleBinding/sa-ada-clusterrole-view",
                        "RoleBinding/sa-ada-role-reader",
                        "Pod/jupyter-ada");
        ServiceAccount sa = (ServiceAccount) objects.objects().get(0).object();
        assertThat(sa.getAutomountServiceAccountToken()).isFalse();
        RoleBinding view = (RoleBinding) objects.objects().get(1).object();
        assertThat(view.getRoleRef().getKind()).isEqualTo("ClusterRole");
        assertThat(view.getSubjects())
                .singleElement()
                .satisfies(s -> assertThat(s.getName()).isEqualTo("sa-ada"));
        Pod pod = objects.notebook().pod();
        assertThat(pod.getSpec().getServiceAccountName()).isEqualTo("sa-ada");
        assertThat(pod.getSpec().getAutomountServiceAccountToken()).isFalse();
    }

    @Test
    void aRoleTheOperatorMayNotBindIsNamedInTheProblem() {
        CompiledTemplate template = compile("""
          policy: {allowedImages: ['**'], roles: [{kind: ClusterRole, name: admin}]}
          serviceAccount: {name: 'sa-{user}', automountToken: true}
          """);
        assertThat(template.problems()).singleElement().satisfies(p -> {
            assertThat(p.path()).isEqualTo("policy.roles[0]");
            assertThat(p.kind()).isEqualTo(ErrorKind.ROLE_NOT_ALLOWED);
            assertThat(p.message()).contains("ClusterRole admin", "[ClusterRole/view, Role/reader]");
        });
    }

    @Test
    void roleBindingsBindOnlyListedRolesAndTheTemplatesOwnServiceAccounts() {
        assertThat(compile("""
          policy: {allowedImages: ['**'], roles: [{kind: ClusterRole, name: view}]}
          extraObjects:
          - {apiVersion: rbac.authorization.k8s.io/v1, kind: RoleBinding, name: b, roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}}
          """).problems())
                .singleElement()
                .satisfies(p -> assertThat(p.message()).contains("ClusterRole edit"));
        List<TemplateError> errors = renderErrors(compile("""
          policy: {allowedImages: ['**'], roles: [{kind: ClusterRole, name: view}]}
          extraObjects:
          - {apiVersion: v1, kind: ServiceAccount, name: 'mine-{user}'}
          - apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            name: b
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
            subjects:
            - {kind: ServiceAccount, name: 'mine-{user}'}
            - {kind: ServiceAccount, name: default}
            - {kind: User, name: ada}
            - {kind: ServiceAccount, name: 'mine-{user}', namespace: kube-system}
          """));
        assertThat(errors)
                .extracting(TemplateError::path)
                .containsExactly(
                        "extraObjects[1].subjects[1]", "extraObjects[1].subjects[2]", "extraObjects[1].subjects[3]");
    }

    @Test
    void podsMustLeaveTheServiceAccountToTheTemplate() {
        CompiledTemplate template = CompiledTemplate.compile(spec("""
                  pods:
                  - name: p
                    spec:
                      serviceAccountName: hub
                      containers: [{name: n, image: i}]
                  policy: {allowedImages: ['**']}
                  serviceAccount: {name: s}
                  """), ALLOW);
        assertThat(template.problems())
                .extracting(TemplateError::path)
                .containsExactly("pods[0].spec.serviceAccountName");
    }

    @Test
    void imagesInsideACustomResourceAreCheckedAtTheDeclaredPath() {
        String widget = """
          policy: {allowedImages: ['quay.io/**']}
          extraObjects:
          - apiVersion: example.org/v1
            kind: Widget
            name: w
            spec: {template: {spec: {containers: [{name: a, image: 'docker.io/evil'}, {name: b, image: '{user}'}]}}}
          """;
        assertThat(compile(widget).problems()).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(ErrorKind.IMAGE_NOT_ALLOWED);
            assertThat(p.path()).startsWith("extraObjects[0].spec.template.spec.containers[0]");
        });
        CompiledTemplate templated = compile(widget.replace("docker.io/evil", "quay.io/fine"));
        assertThat(templated.problems()).isEmpty();
        RenderResult denied = templated.render(Map.of("user", "docker.io-evil"), BUILTINS);
        assertThat(((RenderResult.Failure) denied).errors())
                .extracting(TemplateError::kind)
                .containsExactly(ErrorKind.IMAGE_NOT_ALLOWED);
    }

    @Test
    void readinessByConditionOrPath() {
        GenericKubernetesResource object = new GenericKubernetesResourceBuilder()
                .withApiVersion("example.org/v1")
                .withKind("Widget")
                .withNewMetadata()
                .withName("w")
                .endMetadata()
                .build();
        Readiness condition = new Readiness("Ready", null, null);
        Readiness phase = new Readiness(null, ".status.parents[0].phase", "Bound");
        assertThat(condition.isReady(object)).isFalse();
        assertThat(phase.isReady(object)).isFalse();
        object.setAdditionalProperty(
                "status",
                Map.of(
                        "conditions", List.of(Map.of("type", "Ready", "status", "True")),
                        "parents", List.of(Map.of("phase", "Bound"))));
        assertThat(condition.isReady(object)).isTrue();
        assertThat(phase.isReady(object)).isTrue();
        assertThat(new Readiness("Other", null, null).isReady(object)).isFalse();
        assertThat(Readiness.problem(null, "spec.x", "1")).contains("under .status");
        assertThat(Readiness.problem("Ready", ".status.x", "1")).isNotNull();
        assertThat(Readiness.problem(null, "{.status.phase}", "1")).isNull();
    }
}
