package org.jupyterhub.kubespawner.templating;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jupyterhub.kubespawner.templating.core.ErrorKind;
import org.jupyterhub.kubespawner.templating.core.JsonPaths;
import org.jupyterhub.kubespawner.templating.core.TemplateError;

/** Which pod is the notebook server, and which of its containers: the rules of {@link ObjectKind#notebookServer()}. */
final class NotebookRules {

    private NotebookRules() {}

    /**
     * Marks the notebook server among the compiled entries of the notebook kind: the entry marked
     * {@code notebook: true}, else the first. No entry at all, or more than one marked, is a problem.
     *
     * @param kind the notebook kind
     * @param entries its compiled entries, in template order; the chosen one is replaced by its notebook form
     * @param problems receives the template's problems
     */
    static void choose(ObjectKind<?> kind, List<CompiledEntry> entries, List<TemplateError> problems) {
        if (entries.isEmpty()) {
            problems.add(new TemplateError(
                    kind.field(),
                    null,
                    ErrorKind.INVALID_STRUCTURE,
                    "the template must define at least one " + kind.kind().toLowerCase(Locale.ROOT)));
            return;
        }
        int index = 0;
        int marked = 0;
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).markedNotebook() && marked++ == 0) {
                index = i;
            }
        }
        if (marked > 1) {
            problems.add(new TemplateError(
                    kind.field(),
                    null,
                    ErrorKind.INVALID_STRUCTURE,
                    "at most one " + kind.kind().toLowerCase(Locale.ROOT) + " may be marked notebook: true, but "
                            + marked + " are"));
        }
        entries.set(index, entries.get(index).asNotebook());
    }

    /**
     * The notebook container: the rendered {@code notebookContainer}, which must be a container of the pod, else the
     * pod's first container.
     *
     * @param head the rendered head of the notebook pod's entry
     * @param spec its rendered pod spec; null when it did not render (that error says it all)
     * @param path the entry's path
     * @param errors receives a problem when the container is not there
     * @return the container's name
     */
    static String container(JsonNode head, PodSpec spec, String path, List<TemplateError> errors) {
        JsonNode chosen = head.get("notebookContainer");
        if (spec == null) {
            return chosen == null ? null : chosen.asText();
        }
        List<String> names = new ArrayList<>();
        if (spec.getContainers() != null) {
            spec.getContainers().forEach(c -> names.add(c.getName()));
        }
        if (chosen == null || chosen.isNull()) {
            if (names.isEmpty()) {
                errors.add(new TemplateError(
                        JsonPaths.field(path, "spec") + ".containers",
                        null,
                        ErrorKind.INVALID_STRUCTURE,
                        "the notebook pod has no containers"));
                return null;
            }
            return names.get(0);
        }
        String name = chosen.asText();
        if (!names.contains(name)) {
            errors.add(new TemplateError(
                    JsonPaths.field(path, "notebookContainer"),
                    null,
                    ErrorKind.INVALID_STRUCTURE,
                    "notebookContainer '" + name + "' is not a container of the pod; its containers are " + names));
        }
        return name;
    }
}
