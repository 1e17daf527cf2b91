package org.jupyterhub.kubespawner.operator.template;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jupyterhub.kubespawner.templating.CompiledTemplate;
import org.jupyterhub.kubespawner.templating.KindAllowlist;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;

/**
 * Compiled templates shared by the template and instance reconcilers: compiled once per template generation, so a
 * burst of spawns from one template costs one compile.
 */
public final class CompiledTemplates {

    private record Entry(long generation, CompiledTemplate compiled) {}

    private final Map<String, Entry> byUid = new ConcurrentHashMap<>();
    private final KindAllowlist allowlist;

    /** Templates may use none of the allowlisted kinds. */
    public CompiledTemplates() {
        this(KindAllowlist.NONE);
    }

    /** @param allowlist the kinds extraObjects may use and the roles policy.roles may name (operator settings) */
    public CompiledTemplates(KindAllowlist allowlist) {
        this.allowlist = allowlist;
    }

    /**
     * The compiled form of a template's current generation.
     *
     * @param template the template
     * @return the compiled template
     */
    public CompiledTemplate get(JupyterNotebookInstanceTemplate template) {
        String uid = template.getMetadata().getUid();
        long generation = template.getMetadata().getGeneration() == null
                ? 0
                : template.getMetadata().getGeneration();
        if (uid == null) {
            return CompiledTemplate.compile(template.getSpec(), allowlist);
        }
        Entry entry = byUid.compute(
                uid,
                (k, old) -> old != null && old.generation() == generation
                        ? old
                        : new Entry(generation, CompiledTemplate.compile(template.getSpec(), allowlist)));
        return entry.compiled();
    }

    /**
     * Forgets a deleted template.
     *
     * @param uid the template's uid
     */
    public void forget(String uid) {
        if (uid != null) {
            byUid.remove(uid);
        }
    }
}
