package org.jupyterhub.kubespawner.operator.instance;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.jupyterhub.kubespawner.operator.ManagedLabels;
import org.jupyterhub.kubespawner.operator.access.AccessGrant;
import org.jupyterhub.kubespawner.operator.access.AccessIndex;
import org.jupyterhub.kubespawner.operator.access.AccessSource;
import org.jupyterhub.kubespawner.operator.template.TemplateResolver;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;
import org.jupyterhub.kubespawner.v1.JupyterNotebookQuota;

/**
 * What wakes an instance's reconcile, and the caches it reads: the templates (mapped to the instances that use them
 * through an index on spec.template), the JupyterNotebookAccess objects (mapped to the instances of the templates they
 * name, so a revoked grant reaches running servers at once), the quotas (read only, waking nobody) and the objects
 * the operator creates (selected by the managed-by label, so memory grows with what the operator manages, and mapped
 * back by the instance label). The instance cache is indexed by template, user, group and namespace, so quotas count
 * from memory.
 */
final class InstanceEventSources {

    /**
     * Informers list in pages of this many objects (like client-go's reflectors), so that (re)starting over thousands
     * of instances never holds one huge list response in memory.
     */
    static final long LIST_PAGE_SIZE = 500;

    /** Instance cache index: template namespace/name. */
    static final String TEMPLATE_INDEX = "spec.template";
    /** Instance cache index: namespace/spec.user.name. */
    static final String USER_INDEX = "spec.user.name";
    /** Instance cache index: namespace/group, for each of spec.user.groups. */
    static final String GROUP_INDEX = "spec.user.groups";
    /** Instance cache index: namespace. */
    static final String NAMESPACE_INDEX = "metadata.namespace";

    private final AccessIndex access = new AccessIndex();
    private InformerEventSource<JupyterNotebookInstanceTemplate, JupyterNotebookInstance> templates;
    private InformerEventSource<JupyterNotebookQuota, JupyterNotebookInstance> quotas;
    private io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache<JupyterNotebookInstance> instances;
    private final Map<Class<?>, InformerEventSource<?, JupyterNotebookInstance>> managed = new LinkedHashMap<>();

    /**
     * Creates the informers; JOSDK starts them.
     *
     * @param context JOSDK's context
     * @return every event source
     */
    List<EventSource<?, JupyterNotebookInstance>> prepare(EventSourceContext<JupyterNotebookInstance> context) {
        instances = context.getPrimaryCache();
        instances.addIndexers(Map.of(
                TEMPLATE_INDEX,
                i -> List.of(key(
                        TemplateResolver.templateNamespace(i),
                        i.getSpec().getTemplate().getName())),
                USER_INDEX,
                i -> i.getSpec().getUser() == null
                        ? List.of()
                        : List.of(key(
                                i.getMetadata().getNamespace(),
                                i.getSpec().getUser().getName())),
                GROUP_INDEX,
                i -> i.getSpec().getUser() == null || i.getSpec().getUser().getGroups() == null
                        ? List.of()
                        : i.getSpec().getUser().getGroups().stream()
                                .map(g -> key(i.getMetadata().getNamespace(), g))
                                .distinct()
                                .toList(),
                NAMESPACE_INDEX,
                i -> List.of(i.getMetadata().getNamespace())));
        templates = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(
                                JupyterNotebookInstanceTemplate.class, JupyterNotebookInstance.class)
                        .withName("templates")
                        .withInformerListLimit(LIST_PAGE_SIZE)
                        .withSecondaryToPrimaryMapper((JupyterNotebookInstanceTemplate t) -> context
                                .getPrimaryCache()
                                .byIndex(
                                        TEMPLATE_INDEX,
                                        key(
                                                t.getMetadata().getNamespace(),
                                                t.getMetadata().getName()))
                                .stream()
                                .map(ResourceID::fromResource)
                                .collect(Collectors.toSet()))
                        // Status writes on templates must not wake every instance: only spec changes matter.
                        .withOnUpdateFilter((newer, older) -> !Objects.equals(
                                newer.getMetadata().getGeneration(),
                                older.getMetadata().getGeneration()))
                        .build(),
                context);
        for (Class<? extends HasMetadata> kind :
                List.of(Pod.class, PersistentVolumeClaim.class, Service.class, NetworkPolicy.class)) {
            managed.put(kind, managed(kind, context));
        }
        quotas = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(JupyterNotebookQuota.class, JupyterNotebookInstance.class)
                        .withName("quotas")
                        .withInformerListLimit(LIST_PAGE_SIZE)
                        .withSecondaryToPrimaryMapper((JupyterNotebookQuota q) -> Set.of())
                        .build(),
                context);
        AccessSource<JupyterNotebookInstance> accesses = AccessSource.create(
                JupyterNotebookInstance.class, context, access, LIST_PAGE_SIZE, this::instancesOfTemplate);
        List<EventSource<?, JupyterNotebookInstance>> all = new ArrayList<>();
        all.add(templates);
        all.add(accesses);
        all.add(quotas);
        all.addAll(managed.values());
        return all;
    }

    /** The instances using a template of this namespace ("*": any), from the index. */
    private Set<ResourceID> instancesOfTemplate(String namespace, String template) {
        List<String> names = AccessGrant.ANY.equals(template)
                ? templates
                        .list(namespace, t -> true)
                        .map(t -> t.getMetadata().getName())
                        .toList()
                : List.of(template);
        Set<ResourceID> ids = new java.util.HashSet<>();
        for (String name : names) {
            instances.byIndex(TEMPLATE_INDEX, key(namespace, name)).forEach(i -> ids.add(ResourceID.fromResource(i)));
        }
        return ids;
    }

    private static <R extends HasMetadata> InformerEventSource<R, JupyterNotebookInstance> managed(
            Class<R> type, EventSourceContext<JupyterNotebookInstance> context) {
        SecondaryToPrimaryMapper<R> byLabel = r -> {
            String instance = r.getMetadata().getLabels() == null
                    ? null
                    : r.getMetadata().getLabels().get(ManagedLabels.INSTANCE);
            return instance == null
                    ? Set.of()
                    : Set.of(new ResourceID(instance, r.getMetadata().getNamespace()));
        };
        return new InformerEventSource<>(
                InformerEventSourceConfiguration.from(type, JupyterNotebookInstance.class)
                        .withName(type.getSimpleName().toLowerCase())
                        .withLabelSelector(ManagedLabels.SELECTOR)
                        .withInformerListLimit(LIST_PAGE_SIZE)
                        .withSecondaryToPrimaryMapper(byLabel)
                        .withOnUpdateFilter(updatesThatMatter(type))
                        .build(),
                context);
    }

    /**
     * A pod update wakes its instance only when it changes what the status is made of: the scheduler's binding of a
     * starting pod, for one, does not, and a reconcile for nothing competes for the CPU with the scheduler and the
     * kubelet starting that very pod. Every update of the other kinds (null: no filter).
     */
    @SuppressWarnings("unchecked")
    private static <R extends HasMetadata> OnUpdateFilter<R> updatesThatMatter(Class<R> type) {
        OnUpdateFilter<Pod> pods = PodClassifier::changesObservation;
        return type == Pod.class ? (OnUpdateFilter<R>) pods : null;
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }

    /**
     * A template from the cache.
     *
     * @param namespace its namespace
     * @param name its name
     * @return the template, or null
     */
    JupyterNotebookInstanceTemplate template(String namespace, String name) {
        return templates.get(new ResourceID(name, namespace)).orElse(null);
    }

    /**
     * Instances from the cache, by one of its indexes.
     *
     * @param index {@link #TEMPLATE_INDEX}, {@link #USER_INDEX}, {@link #GROUP_INDEX} or {@link #NAMESPACE_INDEX}
     * @param key the index key
     * @return the instances (empty before the informers start)
     */
    List<JupyterNotebookInstance> instancesBy(String index, String key) {
        return instances == null ? List.of() : instances.byIndex(index, key);
    }

    /**
     * The quotas of a namespace, from the cache.
     *
     * @param namespace the namespace
     * @return the quotas
     */
    List<JupyterNotebookQuota> quotas(String namespace) {
        return quotas == null ? List.of() : quotas.list(namespace, q -> true).toList();
    }

    /** @return the access rules, kept by the JupyterNotebookAccess informer */
    AccessIndex access() {
        return access;
    }

    /**
     * A managed object from the cache.
     *
     * @param like an object of the kind, namespace and name wanted
     * @return the cached object, or null (also for kinds without an informer)
     */
    HasMetadata cached(HasMetadata like) {
        InformerEventSource<?, JupyterNotebookInstance> source = managed.get(like.getClass());
        return source == null
                ? null
                : source.get(new ResourceID(
                                like.getMetadata().getName(), like.getMetadata().getNamespace()))
                        .orElse(null);
    }

    /**
     * The managed objects of a kind that carry this instance's label, from the cache.
     *
     * @param instance the instance
     * @param kind the kind
     * @return the objects (empty for kinds without an informer)
     */
    List<HasMetadata> owned(JupyterNotebookInstance instance, Class<? extends HasMetadata> kind) {
        InformerEventSource<?, JupyterNotebookInstance> source = managed.get(kind);
        return source == null ? List.of() : List.<HasMetadata>copyOf(source.getSecondaryResources(instance));
    }

    /**
     * Puts an object just created into its cache, so the next reconcile sees it before the watch delivers it.
     *
     * @param primary the instance
     * @param created the object as the API server returned it
     */
    @SuppressWarnings("unchecked")
    <R extends HasMetadata> void remember(ResourceID primary, R created) {
        InformerEventSource<R, JupyterNotebookInstance> source =
                (InformerEventSource<R, JupyterNotebookInstance>) managed.get(created.getClass());
        if (source != null) {
            source.handleRecentResourceCreate(primary, created);
        }
    }
}
