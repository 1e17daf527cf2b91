/**
 * Generic core, independent of the CRD model: the placeholder scanner ({@link
 * org.jupyterhub.kubespawner.templating.core.TemplateText}), templates over any Jackson tree with JSONPath-like
 * error locations ({@link org.jupyterhub.kubespawner.templating.core.JsonTemplate}), variable declarations and
 * value validation ({@link org.jupyterhub.kubespawner.templating.core.Variables}) and Kubernetes' name and label
 * syntax ({@link org.jupyterhub.kubespawner.templating.core.KubernetesNames}).
 */
package org.jupyterhub.kubespawner.templating.core;
