package org.jupyterhub.kubespawner.operator.instance;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.jupyterhub.kubespawner.operator.access.CompiledQuotas;
import org.jupyterhub.kubespawner.operator.access.QuotaRule;
import org.jupyterhub.kubespawner.operator.access.Quotas;
import org.jupyterhub.kubespawner.operator.access.Server;
import org.jupyterhub.kubespawner.operator.access.ServerRequests;
import org.jupyterhub.kubespawner.operator.access.ServerView;
import org.jupyterhub.kubespawner.operator.template.TemplateResolver;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceStatus.Phase;

/**
 * The quota step of a spawn, before it takes a spawn slot: checks the JupyterNotebookQuotas of the instance's
 * namespace ({@link Quotas}) against the servers that hold a share, counted from the informer cache's indexes (no API
 * request) plus the spawns this operator admitted whose status does not show them yet. Check and admission are one
 * atomic step, so two spawns decided at once never both take the last share.
 *
 * <p>A server holds a share from its admission until it fails, is deleted, or its status records the spawn (from then
 * on the cache counts it). Admissions live in memory; after a restart the cache has every recorded spawn.
 */
final class QuotaCheck {

    private record Known(String resourceVersion, Server server) {}

    private final InstanceCluster cluster;
    private final CompiledQuotas compiled = new CompiledQuotas();
    private final Map<String, Server> admitted = new ConcurrentHashMap<>();
    private final Map<String, Known> known = new ConcurrentHashMap<>();
    private final ServerView view = new ServerView() {
        @Override
        public Iterable<Server> ofUser(String namespace, String user) {
            return servers(
                    InstanceEventSources.USER_INDEX,
                    namespace + "/" + user,
                    s -> s.namespace().equals(namespace) && user.equals(s.user()));
        }

        @Override
        public Iterable<Server> ofGroup(String namespace, String group) {
            return servers(
                    InstanceEventSources.GROUP_INDEX,
                    namespace + "/" + group,
                    s -> s.namespace().equals(namespace) && s.groups().contains(group));
        }

        @Override
        public Iterable<Server> ofTemplate(String namespace, String template) {
            return servers(
                    InstanceEventSources.TEMPLATE_INDEX,
                    template,
                    s -> s.namespace().equals(namespace) && s.template().equals(template));
        }

        @Override
        public Iterable<Server> inNamespace(String namespace) {
            return servers(
                    InstanceEventSources.NAMESPACE_INDEX,
                    namespace,
                    s -> s.namespace().equals(namespace));
        }
    };

    QuotaCheck(InstanceCluster cluster) {
        this.cluster = cluster;
    }

    /**
     * Admits a spawn, or says which quotas it would exceed. A spawn admitted before (waiting for a slot since) is
     * admitted again without counting.
     *
     * @param instance the instance
     * @param requests what its rendered pods request
     * @return null when admitted, else the refusal
     */
    synchronized Quotas.Refusal admit(JupyterNotebookInstance instance, Map<String, BigDecimal> requests) {
        String key = Spawning.key(instance);
        if (admitted.containsKey(key)) {
            return null;
        }
        List<QuotaRule> quotas =
                compiled.of(cluster.quotas(instance.getMetadata().getNamespace()));
        if (quotas.isEmpty()) {
            return null;
        }
        Server candidate = server(instance, requests);
        Quotas.Refusal refusal = Quotas.check(quotas, candidate, view);
        if (refusal == null) {
            admitted.put(key, candidate);
        }
        return refusal;
    }

    /**
     * The spawn no longer needs its in-memory admission: refused, failed, gone, or recorded in status.
     *
     * @param key the instance's key ({@link Spawning#key})
     */
    void settled(String key) {
        admitted.remove(key);
    }

    /**
     * Forgets what was known about a deleted instance.
     *
     * @param instance the instance
     */
    void forget(JupyterNotebookInstance instance) {
        settled(Spawning.key(instance));
        if (instance.getMetadata().getUid() != null) {
            known.remove(instance.getMetadata().getUid());
        }
    }

    private Iterable<Server> servers(String index, String key, Predicate<Server> admittedMatch) {
        List<JupyterNotebookInstance> cached = cluster.instancesBy(index, key);
        List<Server> out = new ArrayList<>(cached.size() + 2);
        for (JupyterNotebookInstance i : cached) {
            if (holds(i)) {
                out.add(recorded(i));
            }
        }
        for (Server s : admitted.values()) {
            if (admittedMatch.test(s)) {
                out.add(s); // counted once: the quota check skips a key seen twice
            }
        }
        return out;
    }

    /** Whether a cached instance holds a share: its spawn is recorded, it has not failed and is not going. */
    static boolean holds(JupyterNotebookInstance i) {
        JupyterNotebookInstanceStatus s = i.getStatus();
        return i.getMetadata().getDeletionTimestamp() == null
                && s != null
                && s.getPhase() != Phase.FAILED
                && s.getPodName() != null
                && s.getTemplateGeneration() != null;
    }

    private Server recorded(JupyterNotebookInstance i) {
        String uid = i.getMetadata().getUid();
        String version = i.getMetadata().getResourceVersion();
        Known k = uid == null ? null : known.get(uid);
        if (k == null || version == null || !version.equals(k.resourceVersion())) {
            k = new Known(version, server(i, ServerRequests.read(i.getStatus().getRequests())));
            if (uid != null) {
                known.put(uid, k);
            }
        }
        return k.server();
    }

    private static Server server(JupyterNotebookInstance i, Map<String, BigDecimal> requests) {
        var user = i.getSpec().getUser();
        return new Server(
                i.getMetadata().getNamespace(),
                i.getMetadata().getName(),
                user == null ? null : user.getName(),
                user == null ? List.of() : user.getGroups(),
                TemplateResolver.templateNamespace(i) + "/"
                        + i.getSpec().getTemplate().getName(),
                requests);
    }
}
