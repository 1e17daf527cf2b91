package org.jupyterhub.kubespawner.operator.vocabulary;

/** The condition types of both custom resources. */
public final class ConditionTypes {
    /** Instance: the template was found and may be used. */
    public static final String TEMPLATE_RESOLVED = "TemplateResolved";
    /** Instance: every rendered object exists. */
    public static final String RESOURCES_CREATED = "ResourcesCreated";
    /** Instance: the notebook pod is ready. */
    public static final String READY = "Ready";
    /** Instance: the template has not changed since the resources were rendered. */
    public static final String UP_TO_DATE = "UpToDate";
    /** Template: no problems. */
    public static final String VALID = "Valid";

    private ConditionTypes() {}
}
