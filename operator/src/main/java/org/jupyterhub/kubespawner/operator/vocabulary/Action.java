package org.jupyterhub.kubespawner.operator.vocabulary;

import org.jupyterhub.kubespawner.events.EventAction;

/** What the operator did or attempted, the {@code action} of its Events. */
public enum Action implements EventAction {
    /** Looked up the template. */
    Resolve,
    /** Checked variables, rendered output and policy. */
    Admit,
    /** Created an object. */
    Create,
    /** Took over an object made by another tool (a KubeSpawner claim), unchanged. */
    Adopt,
    /** Observed the notebook pod. */
    Observe,
    /** Compared the template with what was rendered. */
    Compare,
    /** Handled the instance's deletion. */
    Delete,
    /** Compiled and checked a template. */
    Validate
}
