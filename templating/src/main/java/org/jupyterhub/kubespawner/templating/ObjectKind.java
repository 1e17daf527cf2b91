package org.jupyterhub.kubespawner.templating;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.jupyterhub.kubespawner.templating.core.FieldRule;
import org.jupyterhub.kubespawner.templating.core.FieldRule.Check;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplateSpec;

/**
 * One kind of object a template can make: a row of the table {@link #ALL}. {@link CompiledTemplate} knows nothing
 * about any particular kind; everything kind-specific is here, so adding a kind is one row (plus the template CRD's
 * field for it).
 *
 * <p>Each entry of the template's list {@link #field()} has a templated {@code name}, {@code labels} and
 * {@code annotations}, a {@code weight}, and the object's own top-level fields named in {@link #body()} (e.g.
 * {@code spec}). The body is rendered straight into {@link #type()}; the head becomes its metadata.
 *
 * @param <T> the fabric8 type of the rendered object
 * @param field the template spec's list of entries of this kind, e.g. {@code pods}; also the prefix of error paths
 * @param apiVersion the rendered objects' apiVersion
 * @param kind the rendered objects' kind
 * @param type the fabric8 type the body is rendered into; it must default to {@code apiVersion} and {@code kind}
 * @param nameRule what an entry's {@code name} must be: {@link Check#DNS1123_SUBDOMAIN} for most kinds,
 *     {@link Check#DNS1035_LABEL} for Services
 * @param body the object's top-level fields an entry carries besides its metadata, e.g. {@code spec}
 * @param requiredBody those of {@code body} every entry must have
 * @param rules Kubernetes syntax rules inside the body, relative to the object (e.g.
 *     {@code spec.containers[*].name}); name, labels and annotations are checked for every kind
 * @param creationGroup the order in which kinds are created, ascending: a kind that protects or feeds another
 *     (network policies before pods, claims before the pods that mount them) comes in an earlier group
 * @param retainable whether entries may say {@code whenDeleted: Retain} (the default) or {@code Delete}; objects
 *     of other kinds are always deleted with their instance
 * @param podSpec where the object holds a pod spec, whose every container image the template's
 *     {@link ImagePolicy} must allow; null for kinds without one
 * @param notebookServer whether an entry of this kind can be the notebook server ({@code notebook},
 *     {@code notebookContainer}, {@code notebookPort}); exactly one row has it, and a template needs at least one
 *     entry of it
 * @param entries reads this kind's entries from a template spec (null or empty: none)
 */
public record ObjectKind<T extends HasMetadata>(
        String field,
        String apiVersion,
        String kind,
        Class<T> type,
        Check nameRule,
        List<String> body,
        List<String> requiredBody,
        List<FieldRule> rules,
        int creationGroup,
        boolean retainable,
        PodSpecAt<T> podSpec,
        boolean notebookServer,
        Function<JupyterNotebookInstanceTemplateSpec, List<?>> entries) {

    /**
     * Where an object holds a pod spec.
     *
     * @param <T> the object's type
     * @param path the pod spec's path in the object, e.g. {@code spec} or {@code spec.template.spec}
     * @param of reads the pod spec of a rendered object (null when it has none)
     */
    public record PodSpecAt<T>(String path, Function<T, PodSpec> of) {
        /**
         * Validates the components.
         *
         * @param path see {@link #path()}
         * @param of see {@link #of()}
         */
        public PodSpecAt {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(of, "of");
        }
    }

    /**
     * Validates a row.
     *
     * @param field see {@link #field()}
     * @param apiVersion see {@link #apiVersion()}
     * @param kind see {@link #kind()}
     * @param type see {@link #type()}
     * @param nameRule see {@link #nameRule()}
     * @param body see {@link #body()}
     * @param requiredBody see {@link #requiredBody()}
     * @param rules see {@link #rules()}
     * @param creationGroup see {@link #creationGroup()}
     * @param retainable see {@link #retainable()}
     * @param podSpec see {@link #podSpec()}
     * @param notebookServer see {@link #notebookServer()}
     * @param entries see {@link #entries()}
     */
    public ObjectKind {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(apiVersion, "apiVersion");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(entries, "entries");
        if (nameRule != Check.DNS1123_SUBDOMAIN && nameRule != Check.DNS1035_LABEL && nameRule != Check.DNS1123_LABEL) {
            throw new IllegalArgumentException(field + ": nameRule must be a DNS name check, got " + nameRule);
        }
        body = List.copyOf(body);
        requiredBody = List.copyOf(requiredBody);
        rules = List.copyOf(rules);
        if (body.isEmpty() || !body.containsAll(requiredBody)) {
            throw new IllegalArgumentException(field + ": body must name the fields, requiredBody a subset of them");
        }
        if (notebookServer && type != Pod.class) {
            throw new IllegalArgumentException(field + ": only pods can be the notebook server");
        }
    }

    /** Persistent volume claims: created first, so the pods that mount them find them; kept by default. */
    public static final ObjectKind<PersistentVolumeClaim> PERSISTENT_VOLUME_CLAIM = new ObjectKind<>(
            "persistentVolumeClaims",
            "v1",
            "PersistentVolumeClaim",
            PersistentVolumeClaim.class,
            Check.DNS1123_SUBDOMAIN,
            List.of("spec"),
            List.of("spec"),
            List.of(
                    new FieldRule("spec.selector.matchLabels", Check.LABELS),
                    new FieldRule("spec.resources.requests.*", Check.QUANTITY),
                    new FieldRule("spec.resources.limits.*", Check.QUANTITY)),
            0,
            true,
            null,
            false,
            JupyterNotebookInstanceTemplateSpec::getPersistentVolumeClaims);

    /** Services; their names are DNS-1035 labels (they become DNS names). */
    public static final ObjectKind<Service> SERVICE = new ObjectKind<>(
            "services",
            "v1",
            "Service",
            Service.class,
            Check.DNS1035_LABEL,
            List.of("spec"),
            List.of("spec"),
            List.of(
                    new FieldRule("spec.selector", Check.LABELS),
                    new FieldRule("spec.ports[*].targetPort", Check.INT_OR_STRING)),
            2,
            false,
            null,
            false,
            JupyterNotebookInstanceTemplateSpec::getServices);

    /** Network policies: created before any pod, so a pod never runs unprotected. */
    public static final ObjectKind<NetworkPolicy> NETWORK_POLICY = new ObjectKind<>(
            "networkPolicies",
            "networking.k8s.io/v1",
            "NetworkPolicy",
            NetworkPolicy.class,
            Check.DNS1123_SUBDOMAIN,
            List.of("spec"),
            List.of("spec"),
            List.of(
                    new FieldRule("spec.podSelector.matchLabels", Check.LABELS),
                    new FieldRule("spec.ingress[*].from[*].podSelector.matchLabels", Check.LABELS),
                    new FieldRule("spec.ingress[*].from[*].namespaceSelector.matchLabels", Check.LABELS),
                    new FieldRule("spec.egress[*].to[*].podSelector.matchLabels", Check.LABELS),
                    new FieldRule("spec.egress[*].to[*].namespaceSelector.matchLabels", Check.LABELS),
                    new FieldRule("spec.ingress[*].ports[*].port", Check.INT_OR_STRING),
                    new FieldRule("spec.egress[*].ports[*].port", Check.INT_OR_STRING)),
            1,
            false,
            null,
            false,
            JupyterNotebookInstanceTemplateSpec::getNetworkPolicies);

    /** Pods, one of which runs the notebook server; created last. */
    public static final ObjectKind<Pod> POD = new ObjectKind<>(
            "pods",
            "v1",
            "Pod",
            Pod.class,
            Check.DNS1123_SUBDOMAIN,
            List.of("spec"),
            List.of("spec"),
            List.of(
                    new FieldRule("spec.containers[*].name", Check.DNS1123_LABEL),
                    new FieldRule("spec.initContainers[*].name", Check.DNS1123_LABEL),
                    new FieldRule("spec.ephemeralContainers[*].name", Check.DNS1123_LABEL),
                    new FieldRule("spec.volumes[*].name", Check.DNS1123_LABEL),
                    new FieldRule("spec.volumes[*].persistentVolumeClaim.claimName", Check.DNS1123_SUBDOMAIN),
                    new FieldRule("spec.serviceAccountName", Check.DNS1123_SUBDOMAIN),
                    new FieldRule("spec.containers[*].resources.limits.*", Check.QUANTITY),
                    new FieldRule("spec.containers[*].resources.requests.*", Check.QUANTITY),
                    new FieldRule("spec.initContainers[*].resources.limits.*", Check.QUANTITY),
                    new FieldRule("spec.initContainers[*].resources.requests.*", Check.QUANTITY),
                    new FieldRule("spec.overhead.*", Check.QUANTITY),
                    new FieldRule("spec.volumes[*].emptyDir.sizeLimit", Check.QUANTITY),
                    new FieldRule("spec.*[*].*.httpGet.port", Check.INT_OR_STRING),
                    new FieldRule("spec.*[*].*.tcpSocket.port", Check.INT_OR_STRING),
                    new FieldRule("spec.*[*].lifecycle.*.httpGet.port", Check.INT_OR_STRING),
                    new FieldRule("spec.*[*].lifecycle.*.tcpSocket.port", Check.INT_OR_STRING)),
            3,
            false,
            new PodSpecAt<>("spec", Pod::getSpec),
            true,
            JupyterNotebookInstanceTemplateSpec::getPods);

    /**
     * The table: every kind a template can make, in the order they are rendered and their errors reported.
     * {@link RenderedObjects#objects()} is in creation order ({@link #creationGroup()}) instead.
     */
    public static final List<ObjectKind<?>> ALL = List.of(PERSISTENT_VOLUME_CLAIM, SERVICE, NETWORK_POLICY, POD);

    /**
     * The rules for an entry's head (everything but its body), relative to the entry.
     *
     * @return name, labels and annotations rules
     */
    List<FieldRule> headRules() {
        return List.of(
                new FieldRule("name", nameRule),
                new FieldRule("labels", Check.LABELS),
                new FieldRule("annotations", Check.ANNOTATIONS));
    }

    /**
     * The object as a {@link #type()}, for callers that know its kind.
     *
     * @param object a rendered object of this kind
     * @return the same object, typed
     * @throws ClassCastException if it is not of this kind
     */
    public T cast(HasMetadata object) {
        return type.cast(object);
    }

    @Override
    public String toString() {
        return kind + " (" + field + ")";
    }
}
