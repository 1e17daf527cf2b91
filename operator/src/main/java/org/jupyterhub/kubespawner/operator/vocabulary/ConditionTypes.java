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
    /** Instance: the server is stopped (spec.suspended or a lifetime limit); only once an instance was suspended. */
    public static final String SUSPENDED = "Suspended";
    /** Instance: the template's activity probe reads the server's last activity; only with a probe, while running. */
    public static final String ACTIVITY_KNOWN = "ActivityKnown";
    /** Instance: the template or a value the instance sets is deprecated; only then. */
    public static final String DEPRECATED = "Deprecated";
    /** Instance, only for a template with policy.access: a rule grants the instance's user the template now. */
    public static final String ACCESS_GRANTED = "AccessGranted";
    /** Template: no problems. */
    public static final String VALID = "Valid";

    private ConditionTypes() {}
}
