"""NotebookInstanceSpawner's settings (`c.NotebookInstanceSpawner.*`): the configurable traits, in one place.

A mixin: HasTraits so that traitlets names and configures these traits in the spawner class; not a Configurable, so
the configuration sections stay those of the spawner's own classes.
"""

from __future__ import annotations

import os

from traitlets import Bool, Callable, Dict, Float, HasTraits, Int, List, Unicode, Union, default

from .kubespawner_compat import DEFAULT_PVC_NAME_TEMPLATE

SERVICE_ACCOUNT_NAMESPACE = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"


class SpawnerSettings(HasTraits):
    """The configurable traits of NotebookInstanceSpawner (the defaults of JupyterHub's own are in the spawner)."""

    namespace = Unicode(
        config=True,
        help="Namespace of the instances and Secrets. Default: the hub's own namespace (in a cluster), else 'default'.",
    )

    @default("namespace")
    def _default_namespace(self):
        if os.environ.get("POD_NAMESPACE"):
            return os.environ["POD_NAMESPACE"]
        if os.path.exists(SERVICE_ACCOUNT_NAMESPACE):
            with open(SERVICE_ACCOUNT_NAMESPACE) as f:
                return f.read().strip()
        return "default"

    template_name = Unicode(
        "",
        config=True,
        help="The JupyterNotebookInstanceTemplate used when profile_list is empty.",
    )
    template_namespace = Unicode(
        "",
        config=True,
        help="Namespace of the templates (profiles may override it). Default: the instances' namespace.",
    )
    profile_list = Union(
        [List(), Callable()],
        default_value=[],
        config=True,
        help="""Choices offered to users, each a dict:
        {"display_name", "slug", "description", "default": bool, "template": name or {"name", "namespace"},
         "template_namespace", "variables": {name: value fixed by the admin}, "cluster": name in `clusters`, "user_variables": [names users may
         set; default every declared variable the spawner does not fill and the profile does not fix]}.
        May be a callable (spawner) -> list, possibly async.""",
    )
    user_variables = List(
        Unicode(),
        default_value=None,
        allow_none=True,
        config=True,
        help="Without profile_list: the template variables users may set (None: all not filled by the spawner).",
    )
    extra_variables = Dict(
        config=True,
        help="""Values for further template variables, for every server: {name: string or callable(spawner)}.
        Sent only to templates that declare the variable; a profile's own variables win.""",
    )
    instance_name_template = Unicode(
        "jupyter-{user_server}",
        config=True,
        help="Name of the instance; fields: username, servername, user_server, userid (KubeSpawner's safe slugs).",
    )
    secret_name_template = Unicode(
        "{instance_name}",
        config=True,
        help="Name of the Secret with the sensitive environment; fields as instance_name_template plus instance_name.",
    )
    secret_env_keys = List(
        Unicode(),
        default_value=["JUPYTERHUB_API_TOKEN", "JPY_API_TOKEN"],
        config=True,
        help="Environment variables that always go into the Secret rather than into the instance.",
    )
    secret_env_pattern = Unicode(
        r"(?i).*(TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL).*",
        config=True,
        help="Environment variables whose name matches this (fully) go into the Secret too. Empty: none.",
    )
    extra_labels = Dict(
        Unicode(),
        config=True,
        help="Labels added to the instance and the Secret.",
    )
    send_args = Bool(
        True,
        config=True,
        help="Send cmd + get_args() as the instance's args when the template allows args (policy.allowArgs).",
    )
    stop_timeout = Int(
        120,
        config=True,
        help="Seconds stop() waits for the instance (and, by foreground deletion, its pods) to be gone.",
    )
    suspend_on_stop = Bool(
        False,
        config=True,
        help="""Stop a server by suspending its instance (spec.suspended: the operator deletes its pods and keeps its
        claims and the instance) instead of deleting it; the next start with the same options resumes it (a start
        with other options replaces it). Needs the chart's hub Role (patch) and admission policy, which lets the hub
        change spec.suspended and nothing else.""",
    )
    kubeconfig = Unicode(
        "",
        config=True,
        help="Kubeconfig file to use. Default: in-cluster credentials when in a pod, else $KUBECONFIG or ~/.kube/config.",
    )
    kube_context = Unicode("", config=True, help="Kubeconfig context to use (default: its current context).")
    progress_tail_seconds = Int(
        10,
        config=True,
        help="After Ready, how long the operator's late Events are still relayed to the spawn page.",
    )
    failure_grace_seconds = Int(
        10,
        config=True,
        help="A start from the spawn page that fails before the page follows its progress waits up to this long for "
        "it, so that the page shows why: JupyterHub answers a progress request that comes while it cleans up after "
        "a failed start with an error, and the page then spins for ever. Starts through the REST API never wait.",
    )
    watch_timeout_seconds = Int(
        300,
        config=True,
        help="Server-side timeout of each watch request; watches resume where they stopped.",
    )
    quota_wait_seconds = Float(
        45,
        config=True,
        help="How long a start waits for a ResourceQuota of the namespace that the cluster has not counted yet (the "
        "API server admits no instance under it meanwhile: 'status unknown for quota', e.g. right after the chart's "
        "install) before it fails.",
    )

    template_cache_seconds = Float(
        10,
        config=True,
        help="How old a read of a template may be when a start or the options form needs it (0: read every time). "
        "A burst of logins then reads each template once; the operator checks every instance against the "
        "template as it is anyway.",
    )
    pvc_name_template = Unicode(
        DEFAULT_PVC_NAME_TEMPLATE,
        config=True,
        help="""KubeSpawner's claim name template, for the `pvc_name` variable of servers without a remembered
        claim (KubeSpawner's fields: {username}, {servername}, {user_server}, {escaped_username}, ...). A server's
        claim name is remembered in its state, as KubeSpawner 7 does, and one KubeSpawner remembered is used.""",
    )

    clusters = Dict(
        config=True,
        help="""Workload clusters besides the hub's own, by name: {"kubeconfig": file (e.g. a mounted Secret) or
        "kubeconfig_secret": Secret in the hub's namespace (name, or {"name", "key"}; key default "kubeconfig"),
        "context", "namespace" (default: the spawner's namespace), "template_namespace", "display_name",
        "allowed_groups"/"allowed_users" (who may place servers there; default everyone)}. Each cluster runs its
        own operator, and the credentials hold only the chart's hub Role there. A profile's "cluster" places its
        servers (see docs/multi-cluster.md).""",
    )
    default_cluster = Unicode(
        "",
        config=True,
        help="The cluster of profiles that name none (and of template_name without profiles); '': the hub's own.",
    )
    cluster_timeout = Int(
        15,
        config=True,
        help="Seconds a single API request to a cluster may take before the cluster counts as unreachable.",
    )
    deletion_retry_seconds = Int(
        30,
        config=True,
        help="How often a stop that could not reach its cluster is retried (it is remembered in the state).",
    )
    internal_ssl_mount_path = Unicode(
        "/etc/jupyterhub/ssl/",
        config=True,
        help="""With c.JupyterHub.internal_ssl: where the template mounts the server's key, certificate and CA bundle
        (keys JUPYTERHUB_SSL_KEY, JUPYTERHUB_SSL_CERT, JUPYTERHUB_SSL_CA of the instance's Secret, as the files
        ssl.key, ssl.crt, notebooks-ca_trust.crt); the server is told these paths.""",
    )
