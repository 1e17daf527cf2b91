package org.jupyterhub.kubespawner.templating.core;

/**
 * What went wrong, as a stable code a caller can switch on (the operator maps these to condition reasons and
 * Event reasons). Template-level kinds are found when a template is compiled; value-level and output-level kinds
 * when it is rendered.
 */
public enum ErrorKind {
    // --- template problems (compile time) ---
    /** A placeholder names a variable that is neither declared nor built in. */
    UNDECLARED_PLACEHOLDER,
    /** A variable declaration is malformed: bad name, invalid regex, negative maxLength, ... */
    INVALID_DECLARATION,
    /** Two variable declarations share a name. */
    DUPLICATE_VARIABLE,
    /** A variable declaration uses a reserved built-in name. */
    RESERVED_VARIABLE,
    /** A declared default violates the declaration's own pattern, maxLength or enum. */
    INVALID_DEFAULT,
    /** The template's structure is wrong (e.g. more than one notebook pod, duplicate object names). */
    INVALID_STRUCTURE,

    // --- value problems (render time) ---
    /** A required variable was not set by the instance. */
    MISSING_REQUIRED,
    /** A value was supplied for a variable the template does not declare. */
    UNDECLARED_VARIABLE,
    /** An instance tried to set a built-in variable. */
    BUILTIN_OVERRIDE,
    /** A built-in variable the template uses was not supplied by the caller (a caller bug). */
    MISSING_BUILTIN,
    /** A value does not fully match the declared pattern. */
    PATTERN_MISMATCH,
    /** A value is longer than the declared maxLength (counted in Unicode code points). */
    TOO_LONG,
    /** A value is not one of the declared enum values. */
    NOT_IN_ENUM,
    /** A placeholder had no value at render time (only from the generic JSON layer). */
    UNKNOWN_VARIABLE,

    // --- output problems (after substitution; also reported at compile time for constant text) ---
    /** An object or container name violates Kubernetes' naming rules. */
    INVALID_NAME,
    /** A label or annotation key is not a valid qualified name. */
    INVALID_LABEL_KEY,
    /** A label value violates Kubernetes' rules (63 characters, alphanumeric ends, {@code [-_.A-Za-z0-9]}). */
    INVALID_LABEL_VALUE,
    /** A resource quantity (cpu, memory, storage) is not in Kubernetes' quantity syntax, e.g. {@code 500m}, {@code 2Gi}. */
    INVALID_QUANTITY,
    /** Annotations are larger than Kubernetes allows in total. */
    ANNOTATIONS_TOO_LARGE,
    /** A rendered container image is not allowed by the template's policy.allowedImages. */
    IMAGE_NOT_ALLOWED,
    /** The rendered document does not convert to its Kubernetes type. */
    INVALID_OBJECT,

    // --- what the operator's allowlist does not allow (compile time; render time for templated role names) ---
    /** An extraObjects entry (or the serviceAccount) names a kind the operator's allowlist does not list. */
    KIND_NOT_ALLOWED,
    /** A role the operator may not bind (policy.roles), or a RoleBinding to a role or subject the policy does not list. */
    ROLE_NOT_ALLOWED
}
