/**
 * Typed facade: compile a {@code JupyterNotebookInstanceTemplateSpec} once into a {@link
 * org.jupyterhub.kubespawner.templating.CompiledTemplate}, then render it per instance into fabric8 objects or a
 * complete list of {@link org.jupyterhub.kubespawner.templating.core.TemplateError}s. See the module README for
 * the contract.
 */
package org.jupyterhub.kubespawner.templating;
