package org.jupyterhub.kubespawner.operator.access;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.jupyterhub.kubespawner.v1.JupyterNotebookQuota;

/**
 * Quotas compiled once per generation (keyed by uid), so a spawn's check reads hash sets and exact amounts. A deleted
 * quota's entry stays (a few hundred bytes; quotas are few).
 */
public final class CompiledQuotas {

    private record Compiled(Long generation, QuotaRule rule) {}

    private final Map<String, Compiled> byUid = new ConcurrentHashMap<>();

    /**
     * The compiled form of each quota.
     *
     * @param quotas the quotas (from the informer cache)
     * @return their rules, in the same order
     */
    public List<QuotaRule> of(List<JupyterNotebookQuota> quotas) {
        List<QuotaRule> rules = new ArrayList<>(quotas.size());
        for (JupyterNotebookQuota q : quotas) {
            String uid = q.getMetadata().getUid();
            if (uid == null) {
                rules.add(QuotaRule.of(q));
                continue;
            }
            Compiled c = byUid.get(uid);
            if (c == null || !Objects.equals(c.generation(), q.getMetadata().getGeneration())) {
                c = new Compiled(q.getMetadata().getGeneration(), QuotaRule.of(q));
                byUid.put(uid, c);
            }
            rules.add(c.rule());
        }
        return rules;
    }
}
