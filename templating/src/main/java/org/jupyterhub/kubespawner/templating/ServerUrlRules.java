package org.jupyterhub.kubespawner.templating;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jupyterhub.kubespawner.templating.core.ErrorKind;
import org.jupyterhub.kubespawner.templating.core.TemplateError;
import org.jupyterhub.kubespawner.templating.core.TemplateText;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplateSpec;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancetemplatespec.ExtraObjects;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancetemplatespec.Pods;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancetemplatespec.ServerUrlFrom;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancetemplatespec.Services;

/**
 * {@code spec.serverUrlFrom}: checks that it names an object the template renders and that the object can give the
 * hub an address (a LoadBalancer Service with a port to the notebook port, an Ingress or HTTPRoute with a host and a
 * rule to one of the template's Services), and renders its name for an instance. The name is matched as written,
 * placeholders included, so the check needs no values.
 */
final class ServerUrlRules {

    private static final String FIELD = "serverUrlFrom";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** No declaration: the pod's IP. */
    static final ServerUrlRules NONE = new ServerUrlRules(null, null, null, null, 0);

    private final String apiVersion;
    private final String kind;
    private final TemplateText name;
    private final String scheme;
    private final int port;

    private ServerUrlRules(String apiVersion, String kind, TemplateText name, String scheme, int port) {
        this.apiVersion = apiVersion;
        this.kind = kind;
        this.name = name;
        this.scheme = scheme;
        this.port = port;
    }

    /**
     * Checks the declaration.
     *
     * @param spec the template's spec
     * @param problems receives what is wrong, with the path serverUrlFrom...
     * @return the rules; {@link #NONE} when nothing (usable) is declared
     */
    static ServerUrlRules compile(JupyterNotebookInstanceTemplateSpec spec, List<TemplateError> problems) {
        ServerUrlFrom from = spec == null ? null : spec.getServerUrlFrom();
        if (from == null) {
            return NONE;
        }
        String declared = from.getName();
        String scheme = from.getScheme() == null ? null : from.getScheme().getValue();
        if (from.getKind() == null || declared == null || declared.isBlank()) {
            problems.add(problem(
                    FIELD,
                    "serverUrlFrom needs kind (Service, Ingress or HTTPRoute) and the name of an object the template"
                            + " renders"));
            return NONE;
        }
        Set<String> services = new LinkedHashSet<>();
        List<Services> serviceEntries = spec.getServices() == null ? List.of() : spec.getServices();
        serviceEntries.stream().filter(Objects::nonNull).forEach(s -> services.add(String.valueOf(s.getName())));
        return switch (from.getKind()) {
            case SERVICE -> service(spec, serviceEntries, declared, scheme, services, problems);
            case INGRESS -> routed(spec, "networking.k8s.io/v1", "Ingress", declared, scheme, services, problems);
            case HTTPROUTE ->
                routed(spec, "gateway.networking.k8s.io/v1", "HTTPRoute", declared, scheme, services, problems);
        };
    }

    private static ServerUrlRules service(
            JupyterNotebookInstanceTemplateSpec spec,
            List<Services> entries,
            String declared,
            String scheme,
            Set<String> names,
            List<TemplateError> problems) {
        int index = -1;
        for (int i = 0; i < entries.size() && index < 0; i++) {
            if (entries.get(i) != null && declared.equals(entries.get(i).getName())) {
                index = i;
            }
        }
        if (index < 0) {
            problems.add(problem(
                    FIELD + ".name",
                    "'" + declared + "' is not the name of an entry of services (their names: " + names
                            + "); write the name exactly as the entry does, placeholders included"));
            return NONE;
        }
        String where = "Service '" + declared + "' (services[" + index + "])";
        ServiceSpec service = entries.get(index).getSpec();
        String type = service == null ? null : service.getType();
        if (!"LoadBalancer".equals(type)) {
            problems.add(problem(
                    FIELD,
                    where + " has spec.type " + (type == null ? "ClusterIP (the default)" : type)
                            + "; the hub reaches a Service only through its load balancer: set spec.type"
                            + " LoadBalancer, or name an Ingress or HTTPRoute of extraObjects"));
            return NONE;
        }
        int notebookPort = notebookPort(spec);
        Set<String> portNames = notebookPortNames(spec, notebookPort);
        for (ServicePort p : service.getPorts() == null ? List.<ServicePort>of() : service.getPorts()) {
            IntOrString target = p == null ? null : p.getTargetPort();
            boolean toNotebook = target == null
                    ? p != null && Objects.equals(p.getPort(), notebookPort)
                    : Objects.equals(target.getIntVal(), notebookPort)
                            || (target.getStrVal() != null && portNames.contains(target.getStrVal()));
            if (toNotebook && p.getPort() != null) {
                return new ServerUrlRules("v1", "Service", TemplateText.parse(declared), scheme, p.getPort());
            }
        }
        problems.add(problem(
                FIELD,
                where + " has no port whose targetPort is the notebook port " + notebookPort
                        + " (spec.ports[].targetPort: the number, or the name of the notebook container's port "
                        + notebookPort + (portNames.isEmpty() ? "" : ", " + portNames) + ")"));
        return NONE;
    }

    private static ServerUrlRules routed(
            JupyterNotebookInstanceTemplateSpec spec,
            String apiVersion,
            String kind,
            String declared,
            String scheme,
            Set<String> services,
            List<TemplateError> problems) {
        List<ExtraObjects> extras = spec.getExtraObjects() == null ? List.of() : spec.getExtraObjects();
        List<String> sameKind = new ArrayList<>();
        for (int i = 0; i < extras.size(); i++) {
            ExtraObjects e = extras.get(i);
            if (e == null || !kind.equals(e.getKind()) || !apiVersion.equals(e.getApiVersion())) {
                continue;
            }
            if (!declared.equals(e.getName())) {
                sameKind.add(e.getName());
                continue;
            }
            Map<String, Object> fields = e.getAdditionalProperties();
            JsonNode body = JSON.valueToTree(fields == null ? Map.of() : fields.getOrDefault("spec", Map.of()));
            boolean routes = kind.equals("Ingress")
                    ? ServerRoutes.ofIngress(body, services) != null
                    : ServerRoutes.ofHttpRoute(body, services) != null;
            if (!routes) {
                problems.add(problem(
                        FIELD,
                        kind + " '" + declared + "' (extraObjects[" + i + "]) has no route the hub can use: it needs "
                                + (kind.equals("Ingress") ? ServerRoutes.INGRESS_NEEDS : ServerRoutes.HTTP_ROUTE_NEEDS)
                                + " (the template's Services: " + services + ")"));
                return NONE;
            }
            return new ServerUrlRules(apiVersion, kind, TemplateText.parse(declared), scheme, 0);
        }
        problems.add(problem(
                FIELD + ".name",
                "'" + declared + "' is not the name of an extraObjects entry of apiVersion " + apiVersion + " kind "
                        + kind + " (their names: " + sameKind
                        + "); write the name exactly as the entry does, placeholders included"));
        return NONE;
    }

    /** The notebook pod's notebookPort: the entry marked notebook: true, else the first. */
    private static int notebookPort(JupyterNotebookInstanceTemplateSpec spec) {
        Pods pod = notebookPod(spec);
        return pod == null || pod.getNotebookPort() == null
                ? CompiledTemplate.DEFAULT_NOTEBOOK_PORT
                : pod.getNotebookPort();
    }

    private static Pods notebookPod(JupyterNotebookInstanceTemplateSpec spec) {
        List<Pods> pods = spec.getPods() == null ? List.of() : spec.getPods();
        return pods.stream()
                .filter(p -> p != null && Boolean.TRUE.equals(p.getNotebook()))
                .findFirst()
                .orElse(pods.isEmpty() ? null : pods.get(0));
    }

    /** The names the notebook container gives its port with the notebook port's number. */
    private static Set<String> notebookPortNames(JupyterNotebookInstanceTemplateSpec spec, int notebookPort) {
        Pods pod = notebookPod(spec);
        Set<String> names = new LinkedHashSet<>();
        if (pod == null || pod.getSpec() == null || pod.getSpec().getContainers() == null) {
            return names;
        }
        for (Container c : pod.getSpec().getContainers()) {
            boolean chosen = pod.getNotebookContainer() == null
                    ? c == pod.getSpec().getContainers().get(0)
                    : pod.getNotebookContainer().equals(c.getName());
            if (chosen && c.getPorts() != null) {
                c.getPorts().stream()
                        .filter(p -> p.getName() != null && Objects.equals(p.getContainerPort(), notebookPort))
                        .forEach(p -> names.add(p.getName()));
            }
        }
        return names;
    }

    private static TemplateError problem(String path, String message) {
        return new TemplateError(path, null, ErrorKind.INVALID_STRUCTURE, message);
    }

    /**
     * The declared object for one instance.
     *
     * @param values the instance's resolved values (declared and built-in)
     * @return the object, or null when nothing is declared
     */
    ServerUrlTarget target(Map<String, String> values) {
        return name == null ? null : new ServerUrlTarget(apiVersion, kind, name.render(values), scheme, port);
    }
}
