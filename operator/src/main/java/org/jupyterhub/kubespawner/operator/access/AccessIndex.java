package org.jupyterhub.kubespawner.operator.access;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jupyterhub.kubespawner.v1.JupyterNotebookAccess;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;

/**
 * Every JupyterNotebookAccess the operator sees (fed by {@link AccessSource}), compiled and arranged so that one
 * spawn's check touches only the rules that name its template and its user or the user's groups: per namespace,
 * per template name, by user and by group. A namespace's arrangement is rebuilt lazily after a change, so an
 * identity-sync job writing a thousand objects costs one rebuild, at the next spawn. Templates' own rules
 * (policy.access) are compiled once per template generation.
 */
public final class AccessIndex {

    private final Map<String, AccessGrant> rules = new ConcurrentHashMap<>();
    private final Map<String, List<String>> previousTemplates = new ConcurrentHashMap<>();
    private final Map<String, Book> books = new ConcurrentHashMap<>();
    private final Set<String> stale = ConcurrentHashMap.newKeySet();
    private final Map<String, Compiled> own = new ConcurrentHashMap<>();

    private record Compiled(Long generation, TemplateAccess access) {}

    /** The rules of one namespace: per template name, and those naming every template ("*"). */
    private record Book(Map<String, RuleSet> byTemplate, RuleSet anyTemplate) {}

    /**
     * Rules by subject.
     *
     * @param byUser rules naming a user
     * @param byGroup rules naming a group
     * @param anyUser rules naming "*" as user
     * @param all every rule, each once, in a stable order (for messages and publication)
     */
    public record RuleSet(
            Map<String, List<AccessGrant>> byUser,
            Map<String, List<AccessGrant>> byGroup,
            List<AccessGrant> anyUser,
            List<AccessGrant> all) {

        /** No rules. */
        public static final RuleSet EMPTY = new RuleSet(Map.of(), Map.of(), List.of(), List.of());

        /**
         * Hands every rule that names the user (directly, by a group, or by "*") to {@code each}; a rule naming the
         * user twice is handed twice.
         *
         * @param user the user
         * @param each the consumer
         */
        public void naming(HubUser user, Consumer<AccessGrant> each) {
            List<AccessGrant> direct = byUser.get(user.name());
            if (direct != null) {
                direct.forEach(each);
            }
            if (!byGroup.isEmpty()) {
                for (String g : user.groups()) {
                    List<AccessGrant> viaGroup = byGroup.get(g);
                    if (viaGroup != null) {
                        viaGroup.forEach(each);
                    }
                }
            }
            anyUser.forEach(each);
        }

        static RuleSet of(List<AccessGrant> grants) {
            if (grants.isEmpty()) {
                return EMPTY;
            }
            Map<String, List<AccessGrant>> byUser = new HashMap<>();
            Map<String, List<AccessGrant>> byGroup = new HashMap<>();
            List<AccessGrant> anyUser = new ArrayList<>();
            for (AccessGrant g : grants) {
                for (String u : g.users()) {
                    if (AccessGrant.ANY.equals(u)) {
                        anyUser.add(g);
                    } else {
                        byUser.computeIfAbsent(u, k -> new ArrayList<>(1)).add(g);
                    }
                }
                for (String group : g.groups()) {
                    byGroup.computeIfAbsent(group, k -> new ArrayList<>(1)).add(g);
                }
            }
            return new RuleSet(Map.copyOf(byUser), Map.copyOf(byGroup), List.copyOf(anyUser), List.copyOf(grants));
        }
    }

    /**
     * The rules of JupyterNotebookAccess objects that name one template.
     *
     * @param named those naming it by name
     * @param anyTemplate those naming every template of its namespace
     */
    public record Rules(RuleSet named, RuleSet anyTemplate) {
        /** @return how many rules there are */
        public int size() {
            return named.all().size() + anyTemplate.all().size();
        }
    }

    /**
     * Adds or replaces a JupyterNotebookAccess.
     *
     * @param access the object as the API server has it now
     */
    public void put(JupyterNotebookAccess access) {
        String key = key(access);
        AccessGrant before = rules.put(key, AccessGrant.of(access));
        if (before != null) {
            previousTemplates.put(key, before.templates());
        }
        stale.add(access.getMetadata().getNamespace());
    }

    /**
     * Forgets a JupyterNotebookAccess.
     *
     * @param access the object as last seen
     */
    public void remove(JupyterNotebookAccess access) {
        String key = key(access);
        AccessGrant before = rules.remove(key);
        if (before != null) {
            previousTemplates.put(key, before.templates());
        }
        stale.add(access.getMetadata().getNamespace());
    }

    /**
     * The template names whose access may have changed with this object's latest change: those it names now and
     * those its version before named ("*": every template of its namespace).
     *
     * @param access the object
     * @return the names
     */
    public Set<String> templatesAffectedBy(JupyterNotebookAccess access) {
        Set<String> names = new LinkedHashSet<>();
        if (access.getSpec() != null && access.getSpec().getTemplates() != null) {
            names.addAll(access.getSpec().getTemplates());
        }
        names.addAll(previousTemplates.getOrDefault(key(access), List.of()));
        return names;
    }

    /**
     * The JupyterNotebookAccess rules naming a template.
     *
     * @param namespace the template's namespace
     * @param template the template's name
     * @return the rules
     */
    public Rules rulesFor(String namespace, String template) {
        Book book = book(namespace);
        return new Rules(book.byTemplate().getOrDefault(template, RuleSet.EMPTY), book.anyTemplate());
    }

    /**
     * A template's own access rule, compiled once per generation.
     *
     * @param template the template
     * @return the compiled rule, or null when the template is open to every user
     */
    public TemplateAccess templateAccess(JupyterNotebookInstanceTemplate template) {
        String uid = template.getMetadata().getUid();
        Long generation = template.getMetadata().getGeneration();
        if (uid == null) {
            return TemplateAccess.of(template);
        }
        Compiled c = own.get(uid);
        if (c == null || !java.util.Objects.equals(c.generation(), generation)) {
            c = new Compiled(generation, TemplateAccess.of(template));
            own.put(uid, c);
        }
        return c.access();
    }

    /**
     * Forgets a deleted template's compiled rule.
     *
     * @param uid the template's uid
     */
    public void forgetTemplate(String uid) {
        if (uid != null) {
            own.remove(uid);
        }
    }

    /** @return how many JupyterNotebookAccess objects are known */
    public int size() {
        return rules.size();
    }

    private Book book(String namespace) {
        if (stale.contains(namespace) || !books.containsKey(namespace)) {
            synchronized (this) {
                if (stale.remove(namespace) || !books.containsKey(namespace)) {
                    books.put(namespace, build(namespace));
                }
            }
        }
        return books.get(namespace);
    }

    private Book build(String namespace) {
        Map<String, List<AccessGrant>> byTemplate = new HashMap<>();
        List<AccessGrant> any = new ArrayList<>();
        rules.entrySet().stream()
                .filter(e -> e.getValue().namespace().equals(namespace))
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> {
                    for (String t : e.getValue().templates()) {
                        if (AccessGrant.ANY.equals(t)) {
                            any.add(e.getValue());
                        } else {
                            byTemplate
                                    .computeIfAbsent(t, k -> new ArrayList<>())
                                    .add(e.getValue());
                        }
                    }
                });
        Map<String, RuleSet> sets = new HashMap<>();
        byTemplate.forEach((t, grants) -> sets.put(t, RuleSet.of(grants)));
        return new Book(Map.copyOf(sets), RuleSet.of(any));
    }

    private static String key(JupyterNotebookAccess access) {
        return access.getMetadata().getNamespace() + "/" + access.getMetadata().getName();
    }
}
