package org.jupyterhub.kubespawner.operator.access;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiFunction;
import org.jupyterhub.kubespawner.v1.JupyterNotebookAccess;

/**
 * The informer of JupyterNotebookAccess objects: keeps an {@link AccessIndex} current (before JOSDK hears of the
 * change, so the reconciles it triggers see it) and wakes the primaries whose access may have changed: the
 * templates an object names now or named before its change (for the template reconciler), or the instances of those
 * templates (for the instance reconciler). Only spec changes wake anyone.
 *
 * @param <P> the primary resource
 */
public final class AccessSource<P extends HasMetadata> extends InformerEventSource<JupyterNotebookAccess, P> {

    private final AccessIndex index;

    private AccessSource(
            InformerEventSourceConfiguration<JupyterNotebookAccess> configuration,
            EventSourceContext<P> context,
            AccessIndex index) {
        super(configuration, context);
        this.index = index;
    }

    /**
     * Creates the informer.
     *
     * @param primary the primary resource's class
     * @param context JOSDK's context
     * @param index the index to keep
     * @param listLimit the informer's list page size
     * @param primaries the primaries to wake for (namespace, template name or "*") of the access's namespace
     * @param <P> the primary resource
     * @return the event source
     */
    public static <P extends HasMetadata> AccessSource<P> create(
            Class<P> primary,
            EventSourceContext<P> context,
            AccessIndex index,
            long listLimit,
            BiFunction<String, String, Set<ResourceID>> primaries) {
        InformerEventSourceConfiguration<JupyterNotebookAccess> configuration = InformerEventSourceConfiguration.from(
                        JupyterNotebookAccess.class, primary)
                .withName("accesses")
                .withInformerListLimit(listLimit)
                .withSecondaryToPrimaryMapper((JupyterNotebookAccess a) -> {
                    String ns = a.getMetadata().getNamespace();
                    Set<ResourceID> ids = new java.util.HashSet<>();
                    for (String template : index.templatesAffectedBy(a)) {
                        ids.addAll(primaries.apply(ns, template));
                    }
                    return ids;
                })
                .withOnUpdateFilter((newer, older) -> !Objects.equals(
                        newer.getMetadata().getGeneration(), older.getMetadata().getGeneration()))
                .build();
        return new AccessSource<>(configuration, context, index);
    }

    @Override
    public void onAdd(JupyterNotebookAccess access) {
        index.put(access);
        super.onAdd(access);
    }

    @Override
    public void onUpdate(JupyterNotebookAccess older, JupyterNotebookAccess newer) {
        index.put(newer);
        super.onUpdate(older, newer);
    }

    @Override
    public void onDelete(JupyterNotebookAccess access, boolean deletedFinalStateUnknown) {
        index.remove(access);
        super.onDelete(access, deletedFinalStateUnknown);
    }
}
