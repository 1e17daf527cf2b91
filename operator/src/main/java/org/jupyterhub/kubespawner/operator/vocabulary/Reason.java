package org.jupyterhub.kubespawner.operator.vocabulary;

import org.jupyterhub.kubespawner.events.EventReason;

/**
 * Every reason this operator writes, in conditions and in Events: one vocabulary, so an Event and the condition it
 * explains say the same word.
 */
public enum Reason implements EventReason {
    // TemplateResolved
    /** The template exists and this instance's namespace may use it. */
    TemplateFound,
    /** The template named by spec.template does not exist (yet). */
    TemplateNotFound,
    /** The template is in another namespace whose policy.allowedNamespaces does not list this one. */
    TemplateForbidden,

    // rejections: nothing is created
    /** The template itself has problems (see its Valid condition). */
    TemplateInvalid,
    /** The instance's variable values break the template's declarations. */
    VariablesRejected,
    /** The rendered objects are not valid Kubernetes objects (names, labels, quantities). */
    RenderFailed,
    /** A rendered container image is not allowed by policy.allowedImages. */
    ImageDenied,
    /** spec.args is set but the template's policy.allowArgs is false. */
    ArgsNotAllowed,
    /** The instance's name cannot be a label value (more than 63 characters). */
    InvalidInstanceName,
    /** The Secret named by spec.envSecretRef is not one the hub wrote for this instance, or does not exist. */
    SecretRejected,
    /**
     * The template restricts access (policy.access) and no rule grants the instance's user (spec.user) now: the
     * message names the rules, and the window when one grants the user only at another time.
     */
    AccessDenied,
    /**
     * spec.user is missing where a template's access rules or a quota need it, or malformed (a blank name or group,
     * a name that disagrees with the instance's hub.jupyter.org/username annotation).
     */
    UserRejected,
    /** A JupyterNotebookQuota would be exceeded: the message names the quota, its limit and the current use. */
    QuotaExceeded,

    // ResourcesCreated
    /** Every rendered object exists. */
    Created,
    /** One rendered object was created (Event only). */
    ResourceCreated,
    /** A rendered object already existed and is used as it is, e.g. a user's claim from an earlier start. */
    ResourceExisted,
    /**
     * A rendered name is taken by an object that is not provably this instance's (another instance's pod, another
     * user's claim, an admin's object, a KubeSpawner claim the template does not adopt): nothing is adopted,
     * modified or deleted.
     */
    NameConflict,
    /** A claim KubeSpawner made for the same user is used as it is (policy.adoptKubeSpawnerClaims; Event only). */
    ClaimAdopted,
    /** An object of an earlier instance of the same name is still being removed; created anew once it is gone. */
    ObjectTerminating,
    /** Waiting for a spawn slot: the operator provisions at most maxConcurrentSpawns spawns at once. */
    SpawnQueued,
    /** The API server refused to create an object as invalid: retrying cannot help. */
    CreateFailed,
    /**
     * Creating an object failed for a reason that may pass (API server unavailable, forbidden, a quota): retried with
     * back-off.
     */
    CreateRetrying,
    /** Nothing was created because the instance was rejected or its template not resolved. */
    NotCreated,

    // Ready
    /** The notebook pod is Ready. */
    PodReady,
    /** Waiting for the notebook pod to be scheduled and start. */
    PodStarting,
    /**
     * The pod waits for its claims to be bound (by a provisioner, or to an admin's volume) before it can be scheduled:
     * progress, like {@link #PodStarting}; {@link #ProgressDeadlineExceeded} if it lasts.
     */
    ClaimPending,
    /** The scheduler cannot place the pod (tolerated until the progress timeout). */
    FailedScheduling,
    /** The image cannot be pulled. */
    ErrImagePull,
    /** The image cannot be pulled, kubelet is backing off. */
    ImagePullBackOff,
    /** The image reference is invalid. */
    InvalidImageName,
    /** The container keeps crashing. */
    CrashLoopBackOff,
    /** The container cannot be configured, e.g. a missing Secret or ConfigMap. */
    CreateContainerConfigError,
    /** The pod did not become Ready within the progress timeout. */
    ProgressDeadlineExceeded,
    /** The notebook pod failed (phase Failed). */
    PodFailed,
    /** The notebook server exited (phase Succeeded). */
    PodCompleted,
    /** The notebook pod was deleted after it had been created. */
    PodDeleted,

    // UpToDate
    /** The template has not changed since the resources were rendered. */
    TemplateUnchanged,
    /** The template changed since the resources were rendered; the change applies at the next start. */
    TemplateChanged,
    /** The template was deleted after the resources were rendered. */
    TemplateDeleted,
    /** Not rendered yet. */
    NotRendered,

    // AccessGranted (only for templates with policy.access)
    /** A rule of the template grants the instance's user the template now. */
    Granted,
    /**
     * No rule grants the user of a server that was running any more (a rule expired, changed or was deleted): the
     * server is kept or deleted as the template's policy.access.whenAccessEnds says.
     */
    AccessEnded,

    // lifecycle Events
    /** The instance is deleted and this claim is kept for the next start (Event only). */
    ClaimRetained,

    // Suspended (and Ready while suspended)
    /** The server is stopped and its claims kept (Ready=False while suspended). */
    Suspended,
    /** spec.suspended is true: the hub asked to suspend the server. */
    SuspendRequested,
    /** The server ran for the template's policy.lifecycle.maxAgeSeconds: the operator stopped it. */
    MaxAgeExceeded,
    /** The server was idle for the template's policy.lifecycle.idleLimitSeconds: the operator stopped it. */
    IdleLimitExceeded,
    /** The server was suspended and runs again (Suspended=False). */
    Resumed,

    // ActivityKnown
    /** The activity probe read the server's last activity. */
    ProbeSucceeded,
    /** No probe has answered yet since the server became ready. */
    ProbePending,
    /** The server did not answer the activity probe (refused, reset, timed out). */
    ProbeUnreachable,
    /** The server refused the probe's token (HTTP 401 or 403). */
    ProbeUnauthorized,
    /** The server answered the probe with another HTTP error. */
    ProbeFailed,
    /** The answer was not JSON with a last_activity time. */
    ProbeMalformed,
    /** The probe's token cannot be read (its Secret or key is missing). */
    ProbeTokenUnavailable,

    // Deprecated (and rejections of deprecated choices)
    /** The template is deprecated (spec.deprecation). */
    TemplateDeprecated,
    /** A variable value the instance sets is deprecated (spec.deprecatedValues). */
    ValueDeprecated,

    // template Valid
    /** The template has no problems. */
    TemplateValid,

    // issue 20: extra objects
    /**
     * The pods wait until every object with a readiness rule of the template is ready (progress: checked again every
     * few seconds).
     */
    DependencyNotReady,

    // issue 23: the server's address (spec.serverUrlFrom)
    /**
     * The notebook pod is ready, but the object the template reaches it through has no address yet (a LoadBalancer
     * Service without status.loadBalancer.ingress): progress, {@link #ProgressDeadlineExceeded} if it lasts.
     */
    AddressPending,
    /**
     * The object the template reaches the server through cannot give an address (gone, not this instance's, no
     * route to the server's Service): the message names it and the template's spec.serverUrlFrom.
     */
    AddressInvalid;

    /** Whether this waiting reason is ordinary progress, not something holding the pod up. */
    public boolean isProgress() {
        return this == PodStarting
                || this == ClaimPending
                || this == SpawnQueued
                || this == ObjectTerminating
                || this == DependencyNotReady
                || this == AddressPending;
    }
}
