package org.jupyterhub.kubespawner.operator.instance;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jupyterhub.kubespawner.operator.vocabulary.Reason;
import org.jupyterhub.kubespawner.templating.BuiltinVariables;
import org.jupyterhub.kubespawner.templating.CompiledTemplate;
import org.jupyterhub.kubespawner.templating.RenderResult;
import org.jupyterhub.kubespawner.templating.RenderedObjects;
import org.jupyterhub.kubespawner.templating.core.ErrorKind;
import org.jupyterhub.kubespawner.templating.core.KubernetesNames;
import org.jupyterhub.kubespawner.templating.core.TemplateError;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstanceTemplate;
import org.jupyterhub.kubespawner.v1.jupyternotebookinstancetemplatespec.Policy;

/**
 * Decides what to create for an instance from its resolved template: checks the instance against the template's
 * policy (args), renders (the templating library also enforces policy.allowedImages on every rendered image), and
 * assembles the desired state. A pure function: everything that
 * is wrong is reported at once, and nothing is created unless everything is right.
 */
public final class InstancePlanner {

    private static final Set<ErrorKind> TEMPLATE_KINDS = EnumSet.of(
            ErrorKind.UNDECLARED_PLACEHOLDER,
            ErrorKind.INVALID_DECLARATION,
            ErrorKind.DUPLICATE_VARIABLE,
            ErrorKind.RESERVED_VARIABLE,
            ErrorKind.INVALID_DEFAULT,
            ErrorKind.INVALID_STRUCTURE);
    private static final Set<ErrorKind> VALUE_KINDS = EnumSet.of(
            ErrorKind.MISSING_REQUIRED,
            ErrorKind.UNDECLARED_VARIABLE,
            ErrorKind.BUILTIN_OVERRIDE,
            ErrorKind.PATTERN_MISMATCH,
            ErrorKind.TOO_LONG,
            ErrorKind.NOT_IN_ENUM);

    private InstancePlanner() {}

    /**
     * Plans an instance.
     *
     * @param instance the instance
     * @param template its resolved template
     * @param compiled the template's compiled spec
     * @return the objects to create, or every reason not to
     */
    public static Plan plan(
            JupyterNotebookInstance instance, JupyterNotebookInstanceTemplate template, CompiledTemplate compiled) {
        List<String> messages = new ArrayList<>();
        Reason first = null;
        String name = instance.getMetadata().getName();
        if (!KubernetesNames.isLabelValue(name)) {
            first = Reason.InvalidInstanceName;
            messages.add(
                    "metadata.name: '" + name + "' must be at most 63 characters to label the objects created for it");
        }
        Policy policy = template.getSpec().getPolicy();
        List<String> args = instance.getSpec().getArgs();
        if (args != null && !args.isEmpty() && (policy == null || !Boolean.TRUE.equals(policy.getAllowArgs()))) {
            first = first == null ? Reason.ArgsNotAllowed : first;
            messages.add(
                    "spec.args: template " + template.getMetadata().getName()
                            + " does not allow args (policy.allowArgs is false); remove spec.args or ask an admin to allow them");
        }
        Map<String, String> builtins = BuiltinVariables.of(
                name,
                instance.getMetadata().getNamespace(),
                template.getMetadata().getName(),
                template.getMetadata().getNamespace());
        RenderResult result = compiled.render(instance.getSpec().getVariables(), builtins);
        if (result instanceof RenderResult.Failure failure) {
            first = first == null ? classify(failure.errors()) : first;
            failure.errors().forEach(e -> messages.add(describe(e)));
            return new Plan.Reject(new Rejection(first, messages));
        }
        RenderedObjects rendered = ((RenderResult.Success) result).objects();
        if (first != null) {
            return new Plan.Reject(new Rejection(first, messages));
        }
        long generation = template.getMetadata().getGeneration() == null
                ? 0
                : template.getMetadata().getGeneration();
        return new Plan.Create(DesiredStateAssembler.assemble(
                instance,
                rendered,
                generation,
                compiled.userIdentity(instance.getSpec().getVariables(), builtins),
                policy != null && Boolean.TRUE.equals(policy.getAdoptKubeSpawnerClaims())));
    }

    private static Reason classify(List<TemplateError> errors) {
        if (errors.stream().anyMatch(e -> e.kind() == ErrorKind.IMAGE_NOT_ALLOWED)) {
            return Reason.ImageDenied;
        }
        if (errors.stream().anyMatch(e -> TEMPLATE_KINDS.contains(e.kind()))) {
            return Reason.TemplateInvalid;
        }
        if (errors.stream().anyMatch(e -> VALUE_KINDS.contains(e.kind()))) {
            return Reason.VariablesRejected;
        }
        return Reason.RenderFailed;
    }

    private static String describe(TemplateError error) {
        StringBuilder s = new StringBuilder();
        if (!error.path().isEmpty()) {
            s.append(error.path()).append(": ");
        } else if (error.variable() != null) {
            s.append("spec.variables.").append(error.variable()).append(": ");
        }
        return s.append(error.message()).toString();
    }
}
