package org.jupyterhub.kubespawner.operator.runtime;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.util.List;

/**
 * The operator client's JSON binding: objects it reads keep only what the operator uses, so its informer caches
 * hold thousands of instances in little memory (docs/benchmarks.md, Memory).
 *
 * <ul>
 *   <li>{@code metadata.managedFields} of every object: server-side apply's bookkeeping (a tree of maps per field
 *       manager); and of {@code metadata.ownerReferences} all but the controller's reference, which proves whose
 *       an object is (the operator uses an existing object only when this instance controls it).
 *   <li>{@code spec} of the pods, claims, services and network policies it creates: it creates them once and
 *       never changes them, and it reads only their metadata and status.
 *   <li>of a pod's status, what readiness does not depend on: host and pod IP lists (it reads {@code podIP}),
 *       QoS class, start time, probe times, and of each container status its image, IDs, resources, mounts and
 *       user (it reads name, ready, state and last state).
 *   <li>equal strings (condition types, "True", namespaces, images, timestamps of the same second, ...) are bound
 *       to one shared instance through a small lossy table ({@link StringTable}).
 * </ul>
 *
 * <p>Only reading is trimmed: objects the operator writes are serialized whole. Done in the binding rather than in
 * an informer's item store because JOSDK shares one configured store between the informers it runs per watched
 * namespace (which broke relists when tried), and because what is never bound is never allocated. Code that needs
 * a trimmed field must read it with another client.
 */
final class TrimmedReads {

    private TrimmedReads() {}

    @JsonIgnoreProperties(value = "managedFields", allowGetters = true, ignoreUnknown = true)
    private abstract static class MetadataMixin {
        @JsonDeserialize(using = ControllerReferenceOnly.class)
        private List<OwnerReference> ownerReferences;
    }

    @JsonIgnoreProperties(value = "spec", allowGetters = true, ignoreUnknown = true)
    private abstract static class WithoutSpec {}

    @JsonIgnoreProperties(
            value = {"hostIPs", "podIPs", "qosClass", "startTime", "resize", "resourceClaimStatuses"},
            allowGetters = true,
            ignoreUnknown = true)
    private abstract static class PodStatusMixin {}

    @JsonIgnoreProperties(
            value = {
                "image",
                "imageID",
                "containerID",
                "allocatedResources",
                "allocatedResourcesStatus",
                "resources",
                "volumeMounts",
                "user",
                "stopSignal",
                "started"
            },
            allowGetters = true,
            ignoreUnknown = true)
    private abstract static class ContainerStatusMixin {}

    @JsonIgnoreProperties(
            value = {"lastProbeTime", "observedGeneration"},
            allowGetters = true,
            ignoreUnknown = true)
    private abstract static class PodConditionMixin {}

    /** The kinds the operator creates and then only observes. */
    static final List<Class<?>> OBSERVED_ONLY =
            List.of(Pod.class, PersistentVolumeClaim.class, Service.class, NetworkPolicy.class);

    /** @return a serialization for the operator's client that trims what it reads */
    static KubernetesSerialization serialization() {
        ObjectMapper mapper = new ObjectMapper();
        mapper.addMixIn(ObjectMeta.class, MetadataMixin.class);
        for (Class<?> kind : OBSERVED_ONLY) {
            mapper.addMixIn(kind, WithoutSpec.class);
        }
        mapper.addMixIn(PodStatus.class, PodStatusMixin.class);
        mapper.addMixIn(ContainerStatus.class, ContainerStatusMixin.class);
        mapper.addMixIn(PodCondition.class, PodConditionMixin.class);
        mapper.registerModule(new SimpleModule("jno-shared-strings")
                .addDeserializer(String.class, new SharedStrings(new StringTable(1 << 14))));
        return new KubernetesSerialization(mapper, true);
    }

    /** Keeps the one owner reference with {@code controller: true}, if any (an empty list when there is none). */
    private static final class ControllerReferenceOnly extends StdDeserializer<List<OwnerReference>> {
        private static final long serialVersionUID = 1L;

        ControllerReferenceOnly() {
            super(List.class);
        }

        @Override
        public List<OwnerReference> deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (!p.isExpectedStartArrayToken()) {
                ctxt.handleUnexpectedToken(List.class, p);
                return null;
            }
            OwnerReference controller = null;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                OwnerReference ref = ctxt.readValue(p, OwnerReference.class);
                if (controller == null && ref != null && Boolean.TRUE.equals(ref.getController())) {
                    controller = ref;
                }
            }
            return controller == null ? List.of() : List.of(controller);
        }
    }

    /** Binds JSON strings through the table; everything else as Jackson's own string deserializer does. */
    private static final class SharedStrings extends StdScalarDeserializer<String> {
        private static final long serialVersionUID = 1L;
        private final transient StringTable table;

        SharedStrings(StringTable table) {
            super(String.class);
            this.table = table;
        }

        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.hasToken(JsonToken.VALUE_STRING)) {
                return table.share(p.getText());
            }
            return StringDeserializer.instance.deserialize(p, ctxt);
        }
    }
}
