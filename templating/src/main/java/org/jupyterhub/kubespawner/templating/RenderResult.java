package org.jupyterhub.kubespawner.templating;

import java.util.List;
import org.jupyterhub.kubespawner.templating.core.TemplateError;

/** The outcome of {@link CompiledTemplate#render}: the objects, or every problem found. */
public sealed interface RenderResult permits RenderResult.Success, RenderResult.Failure {

    /**
     * Rendering worked and every rendered name and label passed Kubernetes' syntax checks.
     *
     * @param objects the rendered objects
     */
    record Success(RenderedObjects objects) implements RenderResult {}

    /**
     * Rendering failed; nothing should be created.
     *
     * @param errors all problems found (never empty), template problems first, then values, then output
     */
    record Failure(List<TemplateError> errors) implements RenderResult {
        /**
         * Copies the list so the record stays immutable.
         *
         * @param errors see {@link #errors()}
         */
        public Failure {
            errors = List.copyOf(errors);
        }
    }
}
