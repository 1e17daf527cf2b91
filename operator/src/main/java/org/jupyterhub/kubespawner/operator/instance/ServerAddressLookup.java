package org.jupyterhub.kubespawner.operator.instance;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.jupyterhub.kubespawner.operator.template.CompiledTemplates;
import org.jupyterhub.kubespawner.templating.BuiltinVariables;
import org.jupyterhub.kubespawner.templating.ServerUrlTarget;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus.Phase;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;

/**
 * Reads the object a ready server is reached through ({@code spec.serverUrlFrom}) and tells its address
 * ({@link ServerAddress#of}). Only an object of the instance's own spawn is read (its name is among the spawn's
 * objects, and it must be controlled by, or retained for, the instance): a Service from the informer cache (whose
 * updates wake the instance, so a load balancer's new address is seen at once), an Ingress or HTTPRoute by name
 * (get, like readiness rules). A URL once reported stays while the pod keeps its IP: no read per reconcile of a
 * running server.
 */
final class ServerAddressLookup {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Provisioning.Objects objects;
    private final CompiledTemplates templates;

    ServerAddressLookup(Provisioning.Objects objects, CompiledTemplates templates) {
        this.objects = objects;
        this.templates = templates;
    }

    /**
     * Adds the address to what was seen of a ready pod whose template declares serverUrlFrom.
     *
     * @param instance the instance
     * @param template its template, or null when not resolved
     * @param spawn what exists for it, or null
     * @param seen the notebook pod as seen
     * @return seen, with the address when one applies
     */
    NotebookPodWatch.Seen look(
            JupyterNotebookInstance instance,
            JupyterNotebookInstanceTemplate template,
            Spawn spawn,
            NotebookPodWatch.Seen seen) {
        if (spawn == null || !(seen.observation() instanceof PodObservation.Ready ready)) {
            return seen;
        }
        boolean declared = template != null
                && template.getSpec() != null
                && template.getSpec().getServerUrlFrom() != null;
        if (template != null && !declared) {
            return seen;
        }
        JupyterNotebookInstanceStatus previous = instance.getStatus();
        if (previous != null
                && previous.getPhase() == Phase.READY
                && previous.getUrl() != null
                && Objects.equals(previous.getPodIP(), ready.podIP())) {
            return seen.with(new ServerAddress.Reached(previous.getUrl()));
        }
        if (!declared) {
            return seen;
        }
        String name = instance.getMetadata().getName();
        String ns = instance.getMetadata().getNamespace();
        String templateName = template.getMetadata().getNamespace() + "/"
                + template.getMetadata().getName();
        ServerUrlTarget target = templates
                .get(template)
                .serverUrlTarget(
                        instance.getSpec().getVariables(),
                        BuiltinVariables.of(
                                name,
                                ns,
                                template.getMetadata().getName(),
                                template.getMetadata().getNamespace()));
        if (target == null) {
            return seen.with(new ServerAddress.Refused("spec.serverUrlFrom of template " + templateName
                    + " cannot be used: the template has problems (see its Valid condition)"));
        }
        boolean rendered = spawn.resources().stream()
                .anyMatch(
                        r -> target.kind().equals(r.getKind()) && target.name().equals(r.getName()));
        if (!rendered) {
            return seen.with(new ServerAddress.Refused(target.kind() + " " + target.name()
                    + " (spec.serverUrlFrom of template " + templateName + ") is not among this server's objects"
                    + " (the template changed since generation " + spawn.templateGeneration()
                    + " was rendered); it applies at the next start"));
        }
        HasMetadata object = read(ns, target);
        Set<String> services = spawn.resources().stream()
                .filter(r -> "Service".equals(r.getKind()))
                .map(r -> r.getName())
                .collect(Collectors.toSet());
        return seen.with(ServerAddress.of(
                templateName,
                target,
                object == null ? null : JSON.valueToTree(object),
                name,
                instance.getMetadata().getUid(),
                services));
    }

    private HasMetadata read(String ns, ServerUrlTarget target) {
        HasMetadata stub = switch (target.kind()) {
            case "Service" ->
                new ServiceBuilder()
                        .withNewMetadata()
                        .withNamespace(ns)
                        .withName(target.name())
                        .endMetadata()
                        .build();
            case "Ingress" ->
                new IngressBuilder()
                        .withNewMetadata()
                        .withNamespace(ns)
                        .withName(target.name())
                        .endMetadata()
                        .build();
            default ->
                new GenericKubernetesResourceBuilder()
                        .withApiVersion(target.apiVersion())
                        .withKind(target.kind())
                        .withNewMetadata()
                        .withNamespace(ns)
                        .withName(target.name())
                        .endMetadata()
                        .build();
        };
        HasMetadata cached = objects.cached(stub);
        return cached != null ? cached : objects.read(stub);
    }
}
