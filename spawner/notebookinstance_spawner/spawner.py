"""NotebookInstanceSpawner: JupyterHub asks the operator for a server instead of creating pods itself."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import datetime
import os
import re
from typing import ClassVar

import yaml
from jupyterhub.spawner import Spawner
from jupyterhub.utils import maybe_future
from kubernetes_asyncio import client, config
from kubernetes_asyncio.client.exceptions import ApiException
from tornado import web
from traitlets import Bool, Callable, Dict, Float, Int, List, Unicode, Union, default

from . import access as access_module
from . import migration
from . import profiles as profiles_module
from .clusters import HOME, Cluster, PendingDeletion, Unreachable, clusters_from_config, is_unreachable
from .events import EventFeed
from .instances import InstanceCache
from .kube import KubeApi, refusal
from .kubespawner_compat import DEFAULT_PVC_NAME_TEMPLATE, KubeSpawnerState, expand
from .progress import ProgressLog, time_left
from .remembered import RememberedDeletions
from .resources import INSTANCE_LABEL, MANAGED_BY, check_name, common_labels, instance_body, secret_body, split_env
from .slugs import ServerNames
from .variables import TemplateInfo, check_values

SERVICE_ACCOUNT_NAMESPACE = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"
RUNNING_PHASES = (None, "", "Pending", "Provisioning", "Ready")
#: the fields of an instance's spec that make a server what it is: a suspended instance is resumed only when the
#: new start asks for the same ones (else it is replaced)
SERVER_FIELDS = ("template", "variables", "env", "envSecretRef", "args")


class SpawnError(web.HTTPError):
    """A start that cannot succeed; the message is shown to the user as it is (spawn page, REST API response).

    An HTTPError so that the hub answers with a status and this message instead of logging an "uncaught
    exception": 400 for options the user can fix, 500 otherwise.
    """

    def __init__(self, message: str, status_code: int = 500):
        super().__init__(status_code, "%s", message)
        self.message = message
        self.jupyterhub_message = message

    def __str__(self) -> str:
        return self.message


class NotebookInstanceSpawner(RememberedDeletions, Spawner):
    """Starts each server as a JupyterNotebookInstance of an admin-owned template.

    The hub's API token travels in a Secret the operator mounts with envFrom; everything else the hub knows about
    the server comes from the instance's status and the operator's Events. The hub needs no rights on pods.
    """

    # ------------------------------------------------------------------------------------------ configuration

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

    @default("ip")
    def _default_ip(self):
        return "0.0.0.0"  # the server listens on its pod's address, not the hub's localhost

    @default("port")
    def _default_port(self):
        return 8888

    @default("options_form")
    def _default_options_form(self):
        return _options_form

    if "apply_user_options" in Spawner.class_trait_names():  # JupyterHub >= 5.3 checks options before start()

        @default("apply_user_options")
        def _default_apply_user_options(self):
            return _check_user_options

    # ------------------------------------------------------------------------------------------ runtime state

    instance_name: str | None = None
    secret_name: str | None = None
    #: the home claim's name once known (remembered across starts, like KubeSpawner 7's pvc_name)
    pvc_name: str | None = None
    #: a server KubeSpawner started before the switch (its pod), until it is stopped or a new start replaces it
    legacy_pod: str | None = None
    legacy_namespace: str | None = None
    _kube: KubeApi | None = None  # tests (and embedders) may set their own
    _progress_log: ProgressLog | None = None
    _progress_tail: asyncio.Task | None = None
    _clients: ClassVar[dict[tuple, KubeApi]] = {}  # one API client per configuration, shared by all spawners
    _clients_lock: asyncio.Lock | None = None
    #: the cluster of the current (or last) server: HOME or a name in `clusters`
    cluster_name: str = HOME
    instance_uid: str | None = None
    secret_uid: str | None = None
    _cluster_kubes: dict[str, KubeApi] | None = None  # tests may set their own, by cluster name
    _retry_task: asyncio.Task | None = None
    _resumed: ClassVar[bool] = False  # the remembered deletions of stopped servers were looked up (once per hub)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        migration.apply_kubespawner_defaults(self, set(kwargs))
        self._configured_namespace = self.namespace  # a server on another cluster changes self.namespace
        #: stops that could not reach their cluster, retried until done (kept in the state)
        self.pending_deletions: list[PendingDeletion] = []
        if not NotebookInstanceSpawner._resumed and self.clusters:
            try:
                asyncio.get_running_loop().call_soon(lambda: asyncio.ensure_future(self._resume_remembered()))
                NotebookInstanceSpawner._resumed = True
            except RuntimeError:  # no event loop yet: the next spawner made in one does it
                pass

    # ------------------------------------------------------------------------------------------------ naming

    @property
    def names(self) -> ServerNames:
        return ServerNames.of(self.user.name, self.name)

    def _name_fields(self) -> dict[str, str]:
        n = self.names
        return {
            "username": n.username,
            "servername": n.servername,
            "user_server": n.user_server,
            "userid": str(self.user.id),
        }

    def _instance_name(self) -> str:
        return self.instance_name or check_name(
            "JupyterNotebookInstance", self.instance_name_template.format(**self._name_fields())
        )

    def _secret_name(self) -> str:
        return self.secret_name or check_name(
            "Secret", self.secret_name_template.format(instance_name=self._instance_name(), **self._name_fields())
        )

    def filled_variables(self) -> dict[str, str]:
        """The variables the spawner fills for every server (sent when the template declares them)."""
        n = self.names
        return {
            "username": n.username,
            "unescaped_username": n.unescaped_username,
            "servername": n.servername,
            "unescaped_servername": n.unescaped_servername,
            "user_server": n.user_server,
            "userid": str(self.user.id),
            "pvc_name": self.pvc_name or self._claim_name(None),
            "hub_namespace": self.hub_namespace,
        }

    @property
    def hub_namespace(self) -> str:
        """The hub's own namespace (network policies of templates let its pods in and out)."""
        if os.environ.get("POD_NAMESPACE"):
            return os.environ["POD_NAMESPACE"]
        if os.path.exists(SERVICE_ACCOUNT_NAMESPACE):
            with open(SERVICE_ACCOUNT_NAMESPACE) as f:
                return f.read().strip()
        return self.namespace

    def _claim_name(self, kubespawner: KubeSpawnerState | None) -> str:
        """The claim KubeSpawner would mount for this server: remembered in its state (older names included), else
        pvc_name_template's. Raises SpawnError when the template cannot be filled."""
        fields = {"userid": self.user.id, "namespace": self.namespace, "hub_namespace": self.hub_namespace}
        try:
            if kubespawner is not None:
                return kubespawner.claim_name(self.pvc_name_template, self.user.name, self.name, **fields)
            return expand(self.pvc_name_template, self.user.name, self.name, **fields)
        except (KeyError, ValueError, IndexError) as e:
            raise SpawnError(f"Cannot start the server: pvc_name_template {self.pvc_name_template!r}: {e!r}") from None

    def format_string(self, s):
        """Spawner.format_string, with JupyterHub's own fields ({username}, {servername}, ...).

        The `template_namespace` trait (where templates are read) shadows Spawner.template_namespace(), the method
        JupyterHub's format_string calls: without this, every setting it expands (default_url, notebook_dir, ...)
        failed with "'str' object is not callable" (found by the browser test, which sets default_url).
        """
        return s.format(**Spawner.template_namespace(self))

    def _is_secret_env(self, name: str) -> bool:
        if name in self.secret_env_keys:
            return True
        return bool(self.secret_env_pattern) and re.fullmatch(self.secret_env_pattern, name) is not None

    # ----------------------------------------------------------------------------------------------- clients

    def cluster_config(self, name: str) -> Cluster:
        """The named cluster's settings (HOME: the spawner's own); SpawnError when it is not configured."""
        if name == HOME:
            return Cluster(HOME, kubeconfig=self.kubeconfig, context=self.kube_context)
        try:
            clusters = clusters_from_config(self.clusters)
        except ValueError as e:  # the admin's configuration
            raise SpawnError(f"Cannot use cluster {name!r}: {e}") from None
        if name not in clusters:
            raise SpawnError(
                f"Cannot use cluster {name!r}: it is not in NotebookInstanceSpawner.clusters (configured: "
                f"{', '.join(sorted(clusters)) or 'none'})"
            )
        return clusters[name]

    def _namespace_in(self, cluster: Cluster) -> str:
        return cluster.namespace or self._configured_namespace

    def _cluster_of(self, profile: profiles_module.Profile) -> str:
        return profile.cluster if profile.cluster is not None else self.default_cluster

    async def kube(self, cluster: str | None = None) -> KubeApi:
        """The API facade of a cluster (default: the current server's), one per configuration per process,
        shared by every spawner."""
        name = self.cluster_name if cluster is None else cluster
        if name == HOME and self._kube is not None:
            return self._kube
        if self._cluster_kubes and name in self._cluster_kubes:
            return self._cluster_kubes[name]
        settings = self.cluster_config(name)
        cls = NotebookInstanceSpawner
        if cls._clients_lock is None:
            cls._clients_lock = asyncio.Lock()
        secret = tuple(sorted((settings.kubeconfig_secret or {}).items()))
        key = (name, settings.kubeconfig, secret, settings.context, self.watch_timeout_seconds)
        # read before taking the lock: reading it takes the lock too (for the hub's own cluster's client)
        from_secret = await self._kubeconfig_from_secret(settings) if secret and key not in cls._clients else None
        async with cls._clients_lock:
            if key not in cls._clients:
                configuration = client.Configuration()
                if secret:
                    await config.load_kube_config_from_dict(
                        from_secret, context=settings.context or None, client_configuration=configuration
                    )
                elif name == HOME and not settings.kubeconfig and os.environ.get("KUBERNETES_SERVICE_HOST"):
                    config.load_incluster_config(client_configuration=configuration)
                else:
                    await config.load_kube_config(
                        config_file=settings.kubeconfig or None,
                        context=settings.context or None,
                        client_configuration=configuration,
                        persist_config=False,
                    )
                # Every pending start holds one watch (its instance) and JupyterHub allows 100 pending starts by
                # default (concurrent_spawn_limit): kubernetes_asyncio's pool of 100 would make starts queue for
                # connections in a burst.
                configuration.connection_pool_maxsize = max(configuration.connection_pool_maxsize, 250)
                cls._clients[key] = KubeApi(client.ApiClient(configuration), self.watch_timeout_seconds)
        if name == HOME:
            self._kube = cls._clients[key]
        return cls._clients[key]

    async def _kubeconfig_from_secret(self, settings: Cluster) -> dict:
        """The kubeconfig a Secret in the hub's own cluster and namespace holds (the hub may get Secrets there)."""
        ref = settings.kubeconfig_secret or {}
        name, key = ref["name"], ref.get("key") or "kubeconfig"
        home = await self.kube(HOME)
        try:
            found = await home.core.read_namespaced_secret(name, self._configured_namespace)
        except ApiException as e:
            raise SpawnError(f"Cannot read the kubeconfig of {settings.label}: Secret {name}: {e.reason}") from None
        data = (found.data or {}).get(key)
        if not data:
            raise SpawnError(f"Cannot read the kubeconfig of {settings.label}: Secret {name} has no key {key!r}")
        return yaml.safe_load(base64.b64decode(data))

    # ------------------------------------------------------------------------------------- profiles, options

    async def profiles(self) -> list[profiles_module.Profile]:
        entries = self.profile_list
        if callable(entries):
            entries = await maybe_future(entries(self))
        found = profiles_module.profiles_from_config(entries or [], self.template_name, self.template_namespace or None)
        if not entries and self.user_variables is not None:
            found = [dataclasses.replace(found[0], user_variables=tuple(self.user_variables))]
        return found

    def _template_namespace(self, profile: profiles_module.Profile, cluster: Cluster) -> str:
        return (
            profile.template_namespace
            or cluster.template_namespace
            or self.template_namespace
            or self._namespace_in(cluster)
        )

    async def read_template(self, profile: profiles_module.Profile) -> TemplateInfo | None:
        """The profile's template, read in the profile's cluster; Unreachable when that cluster does not answer."""
        cluster = self.cluster_config(self._cluster_of(profile))
        kube = await self.kube(cluster.name)
        try:
            async with asyncio.timeout(self.cluster_timeout):
                found = await kube.get_template(
                    self._template_namespace(profile, cluster), profile.template_name, self.template_cache_seconds
                )
        except Exception as e:
            if is_unreachable(e):
                raise Unreachable(cluster, e) from None
            raise
        return TemplateInfo.from_object(found) if found else None

    def options_from_form(self, formdata):
        return profiles_module.options_from_form(formdata)

    def _extra_variable_values(self) -> dict[str, str]:
        return {k: (v(self) if callable(v) else v) for k, v in self.extra_variables.items()}

    async def plan(self) -> tuple[profiles_module.Profile, TemplateInfo, dict[str, str]]:
        """The template and the variable values for this start, checked as the operator will check them.

        Raises SpawnError listing every problem (unknown profile, missing template, variables users may not set,
        values breaking a declaration).
        """
        try:
            profiles = await self.profiles()
        except ValueError as e:  # the admin's configuration
            raise SpawnError(f"Cannot start the server: {e}") from None
        try:
            selection = profiles_module.select(profiles, self.user_options)
        except ValueError as e:
            raise SpawnError(f"Cannot start the server: {e}", 400) from None
        profile = selection.profile
        cluster = self.cluster_config(self._cluster_of(profile))
        groups = [g.name for g in getattr(self.user, "groups", None) or []]
        if not cluster.admits(self.user.name, groups):
            raise SpawnError(f"Cannot start the server: you may not place servers on {cluster.label}", 403)
        # the placement: from here on, the names and namespace are those of that cluster
        self.cluster_name, self.namespace = cluster.name, self._namespace_in(cluster)
        try:
            template = await self.read_template(profile)
        except Unreachable as e:
            message = (
                f"Cannot start the server: {e}. Servers on other clusters are not affected; try again later or "
                "choose a profile on another cluster."
            )
            if self._progress_log is not None and not self._progress_log.closed:
                self._progress_log.add(message)
            raise SpawnError(message, 503) from None
        if template is None:
            namespace = self._template_namespace(profile, cluster)
            where = "" if cluster.name == HOME else f" on {cluster.label}"
            raise SpawnError(
                f"Cannot start the server: template {namespace}/{profile.template_name} does not exist{where}"
                " (or the hub may not read it)"
            )
        denied = access_module.refusal(
            f"{template.namespace}/{template.name}",
            template.access,
            self.user.name,
            access_module.user_groups(self.user),
        )
        if denied:
            raise SpawnError(denied, 403)
        filled = self.filled_variables()
        values = {k: v for k, v in filled.items() if k in template.declared}
        values.update({k: v for k, v in self._extra_variable_values().items() if k in template.declared})
        values.update(profile.variables)
        problems = profiles_module.settable_problems(selection, template, filled)
        values.update({k: v for k, v in selection.user_values.items() if k not in filled})
        result = check_values(template, values)
        problems += result.problems + template.refusals(result.values)
        if problems:
            raise SpawnError("Cannot start the server: " + "; ".join(problems), 400)
        return profile, template, result.values

    # --------------------------------------------------------------------------------------------- lifecycle

    def build_objects(self, profile, template: TemplateInfo, variables: dict[str, str]) -> tuple[dict, dict]:
        """The Secret and the instance for this start (pure, given the spawner's state)."""
        namespace = self.namespace
        names = self.names
        env = split_env(self.get_env(), self._is_secret_env)
        labels = common_labels(names, self.extra_labels)
        secret_name = self._secret_name()
        args = None
        if self.send_args and template.allow_args:
            args = list(self.cmd) + list(self.get_args())
        instance_name = self._instance_name()
        # the operator mounts a Secret only into the instance it is labelled for
        secret_labels = {**labels, INSTANCE_LABEL: instance_name}
        secret = secret_body(name=secret_name, namespace=namespace, names=names, env=env.secret, labels=secret_labels)
        instance = instance_body(
            name=instance_name,
            namespace=namespace,
            names=names,
            template_name=template.name,
            template_namespace=template.namespace,
            variables=variables,
            env=env.plain,
            secret_name=secret_name,
            args=args,
            labels=labels,
            user_groups=access_module.user_groups(self.user),
        )
        return secret, instance

    def _fresh_progress_log(self) -> ProgressLog:
        """The log of this spawn: a new one, unless the options check earlier in this spawn made it already."""
        if self._progress_log is None or self._progress_log.closed:
            self._progress_log = ProgressLog()
        return self._progress_log

    async def start(self):
        log = self._fresh_progress_log()
        try:
            return await self._start(log)
        except Exception:
            if self._from_spawn_page():
                await log.followed(self.failure_grace_seconds)
            log.close()
            raise
        except BaseException:
            log.close()
            raise

    def _from_spawn_page(self) -> bool:
        """Whether the hub's spawn page (not its REST API) asked for this start: the hub sets the request's handler."""
        from jupyterhub.apihandlers.base import APIHandler

        return self.handler is not None and not isinstance(self.handler, APIHandler)

    async def _start(self, progress: ProgressLog) -> str:
        profile, template, variables = await self.plan()  # places the server: cluster_name, namespace
        if self.pending_deletions:
            await self._retry_pending_deletions()  # best effort: an earlier stop that could not reach its cluster
        kube = await self.kube()
        try:
            return await self._start_on(kube, progress, profile, template, variables)
        except SpawnError:
            raise
        except Exception as e:
            if not is_unreachable(e):
                raise
            message = (
                f"Cannot start the server: {Unreachable(self.cluster_config(self.cluster_name), e)} while the "
                "server was starting. Servers on other clusters are not affected; try again later."
            )
            progress.add(message)
            raise SpawnError(message, 503) from None

    async def _start_on(self, kube: KubeApi, progress: ProgressLog, profile, template, variables) -> str:
        try:
            secret, instance = self.build_objects(profile, template, variables)
        except ValueError as e:  # a name template or an environment variable the admin configured
            raise SpawnError(f"Cannot start the server: {e}") from None
        namespace, name = self.namespace, instance["metadata"]["name"]
        self.instance_name, self.secret_name = name, secret["metadata"]["name"]
        self.legacy_pod = self.legacy_namespace = None
        if "pvc_name" in variables:
            self.pvc_name = variables["pvc_name"]  # remembered from now on, as KubeSpawner 7 does

        # Only a spawner that suspends on stop looks first: it may resume what is there. Others find a leftover
        # instance by the create's 409 (one round trip less on every spawn).
        existing = await kube.get_instance(namespace, name) if self.suspend_on_stop else None
        since = None
        # Both subscriptions before the create (or resume): no change of the instance, no Event about it, is missed.
        cache, feed = self._instance_cache(kube, namespace), kube.event_feed(namespace)
        updates, subscription = cache.subscribe(name), feed.subscribe(name)
        self.instance_uid = None
        try:
            if existing is not None and resumable(existing, instance):
                since = _now_iso()
                self.secret_uid = await kube.put_secret(
                    secret
                )  # this start's token; the pods created on resume read it
                created = await self._resume(kube, existing)
                progress.add(
                    f"Resuming the suspended instance {name} of template {template.namespace}/{template.name}", 10
                )
                self.log.info("Resuming instance %s/%s for %s", namespace, name, self._log_name)
            else:
                if existing is not None:
                    # Suspended with other options than this start's: start afresh (claims marked Retain stay).
                    progress.add(f"Removing the previous instance {name}", 5)
                    self.log.info("Replacing suspended instance %s/%s", namespace, name)
                    await kube.delete_instance(namespace, name)
                    await self._wait_gone(namespace, name, self.stop_timeout)
                self.secret_uid = await kube.put_secret(secret)
                created = await self._create_instance(kube, instance, progress)
                progress.add(f"Requested instance {name} of template {template.namespace}/{template.name}", 10)
                self.log.info("Created instance %s/%s for %s", namespace, name, self._log_name)
        except BaseException:
            cache.unsubscribe(name, updates)
            feed.unsubscribe(name, subscription)
            raise

        uid = self.instance_uid = created.get("metadata", {}).get("uid")
        events = asyncio.create_task(self._follow_events(feed, namespace, name, subscription, uid, progress, since))
        succeeded = False
        try:
            try:
                async with asyncio.timeout(max(1, self.start_timeout - 2)):
                    url = await self._wait_ready(kube, namespace, created, updates, progress)
                    succeeded = True
                    return url
            except TimeoutError:
                last = progress.last_status_text or "the operator has not reported a status yet"
                raise SpawnError(
                    f"The server did not become ready within {self.start_timeout} seconds (last: {last})"
                ) from None
        except BaseException:
            # The hub calls stop() after a failed start only while poll() says "running"; a Failed instance would
            # be left behind, so clean up here (without waiting: nothing depends on it being gone).
            await self._delete_or_remember(kube, namespace)
            raise
        finally:
            cache.unsubscribe(name, updates)
            if succeeded:
                # The hub now waits for the server to answer, and the spawn page keeps listening meanwhile; the
                # operator's Events are written asynchronously, so some arrive after the status: keep relaying
                # them for a little while.
                self._progress_tail = asyncio.create_task(self._end_progress(events, progress))
            else:
                events.cancel()

    async def _resume(self, kube: KubeApi, existing: dict) -> dict:
        """Resumes a suspended instance. One the operator suspended (a lifetime limit) while spec.suspended was false
        stays suspended until spec changes, so it is suspended by spec first, then resumed."""
        namespace, name = self.namespace, existing["metadata"]["name"]
        if not (existing.get("spec") or {}).get("suspended"):
            await kube.set_suspended(namespace, name, True)
        resumed = await kube.set_suspended(namespace, name, False)
        if resumed is None:
            raise SpawnError(f"The instance {name} was deleted while the server was being resumed")
        return resumed

    async def _end_progress(self, events: asyncio.Task, progress: ProgressLog) -> None:
        try:
            await asyncio.wait({events}, timeout=self.progress_tail_seconds)
        finally:
            events.cancel()
            progress.close()

    async def _wait_ready(
        self, kube: KubeApi, namespace: str, created: dict, updates: asyncio.Queue, progress: ProgressLog
    ) -> str:
        """Until the instance is Ready (its URL) or Failed (SpawnError), from what the create returned and then the
        shared instance cache's changes of it (changes of an earlier instance of the same name are skipped)."""
        name, uid = created["metadata"]["name"], created["metadata"].get("uid")
        current: dict | None = created
        while True:
            progress.status(current)
            status = current.get("status") or {}
            if status.get("phase") == "Ready" and status.get("url"):
                note = time_left(status)
                if note:
                    progress.add(note)
                return status["url"]
            if status.get("phase") == "Failed":
                raise SpawnError(f"The server could not be started: {status.get('message') or 'Failed'}")
            current = None
            while current is None:
                kind, obj = await updates.get()
                if kind == "SYNC" and obj is None:
                    # listed again and not there: gone, or not listed yet; the API server says which
                    obj = await kube.get_instance(namespace, name)
                    if obj is None:
                        raise SpawnError(f"The instance {name} was deleted while the server was starting")
                if obj is None or (uid and obj["metadata"].get("uid") != uid):
                    continue
                if kind == "DELETED":
                    raise SpawnError(f"The instance {name} was deleted while the server was starting")
                current = obj

    @staticmethod
    def _instance_cache(kube: KubeApi, namespace: str) -> InstanceCache:
        return kube.instance_cache(namespace, f"app.kubernetes.io/managed-by={MANAGED_BY}")

    async def _create_counted(self, kube: KubeApi, instance: dict, progress: ProgressLog) -> dict:
        """Creates the instance; while a ResourceQuota of the namespace has not been counted yet, tries again for up to
        quota_wait_seconds. The API server admits nothing under such a quota ("status unknown for quota"), which lasts
        until the quota controller has discovered what it limits: up to half a minute after the chart's install."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.quota_wait_seconds
        told = False
        while True:
            try:
                return await kube.create_instance(instance)
            except ApiException as e:
                if e.status != 403 or "status unknown for quota" not in str(e.body) or loop.time() > deadline:
                    raise
            if not told:
                progress.add("Waiting for the namespace's quota to be counted (the cluster was just set up)", 8)
                told = True
            await asyncio.sleep(1)

    async def _create_instance(self, kube: KubeApi, instance: dict, progress: ProgressLog) -> dict:
        namespace, name = instance["metadata"]["namespace"], instance["metadata"]["name"]
        for attempt in (1, 2):
            try:
                return await self._create_counted(kube, instance, progress)
            except ApiException as e:
                if is_unreachable(e):
                    raise
                if e.status != 409 or attempt == 2:
                    await kube.delete_secret(namespace, self.secret_name)  # nothing will use it
                    raise SpawnError(*refusal(e, namespace)) from None
            # Left over from a start the hub no longer tracks: its pod holds an outdated token. Start afresh. (Found
            # by the create rather than by a read before it: one round trip less on every spawn.)
            progress.add(f"Removing the previous instance {name}", 5)
            self.log.info("Replacing leftover instance %s/%s", namespace, name)
            await kube.delete_instance(namespace, name)
            await self._wait_gone(namespace, name, self.stop_timeout)
        raise AssertionError("unreachable")

    async def _follow_events(
        self,
        feed: EventFeed,
        namespace: str,
        name: str,
        subscription: asyncio.Queue,
        uid: str | None,
        progress: ProgressLog,
        since: str | None = None,
    ) -> None:
        try:
            async for event in feed.follow(name, subscription):
                # Events outlive their object (an hour by default): skip those about an earlier instance, and,
                # when resuming, those of the instance's earlier runs
                regarding_uid = (event.get("regarding") or {}).get("uid")
                if uid and regarding_uid and regarding_uid != uid:
                    continue
                if since and _event_time(event) < since:
                    continue
                progress.event(event)
        except asyncio.CancelledError:
            raise
        except Exception as e:  # progress messages are a comfort, not a requirement
            self.log.warning("Cannot follow Events of %s/%s: %s", namespace, name, e)

    async def progress(self):
        log = self._progress_log
        if log is None:  # nothing started since this spawner was created or stopped
            return
        async for item in log.follow():
            yield item

    async def poll(self):
        name = self.instance_name
        if not name and self.legacy_pod:
            return await migration.poll_legacy(self)
        if not name:
            return 0
        kube = await self.kube()
        try:
            async with asyncio.timeout(self.cluster_timeout):
                known, current = await self._instance_cache(kube, self.namespace).get(name)
                if not known or current is None:  # not listed yet, or gone: the API server says which
                    current = await kube.get_instance(self.namespace, name)
        except Exception as e:
            if not is_unreachable(e):
                raise
            # Unknown is not stopped: saying so would make the hub forget a server that may well be running.
            self.log.warning(
                "Cannot poll %s: %s; counted as running",
                self._log_name,
                Unreachable(self.cluster_config(self.cluster_name), e),
            )
            return None
        if current is None:
            await kube.delete_secret(self.namespace, self._secret_name())  # nothing else will
            return 1
        if current["metadata"].get("deletionTimestamp"):
            return 1  # on its way out (a failed start or a stop already asked for this)
        if (current.get("spec") or {}).get("suspended") or (current.get("status") or {}).get("phase") == "Suspended":
            # suspended by the hub (suspend_on_stop) or by a lifetime limit: stopped, kept for the next start. The
            # hub calls no stop() for a server poll() calls stopped, and revokes its token: its Secret goes here
            await kube.delete_secret(self.namespace, self._secret_name())
            return 1
        phase = (current.get("status") or {}).get("phase")
        if phase in RUNNING_PHASES:
            return None
        if phase == "Failed":
            # the hub will not call stop() for a server that is not running, so this is the last chance to clean up
            self.log.warning(
                "Instance %s/%s failed: %s", self.namespace, name, (current.get("status") or {}).get("message")
            )
            await self._delete_or_remember(kube, self.namespace)
        return 1

    async def stop(self, now=False):
        if not self.instance_name and self.legacy_pod:
            await migration.stop_legacy(self, now)
            self.legacy_pod = self.legacy_namespace = None
            return
        kube = await self.kube()
        namespace, name = self.namespace, self._instance_name()
        self.instance_name = name
        if self._progress_tail is not None:
            self._progress_tail.cancel()
        self._progress_log = None
        if self.suspend_on_stop and await self._suspend(kube, namespace, name, now):
            return
        if not await self._delete_or_remember(kube, namespace):
            return  # its cluster is unreachable: the deletion is remembered and retried
        if not now:
            try:
                await self._wait_gone(namespace, name, self.stop_timeout)
            except Exception as e:
                if not is_unreachable(e):
                    raise
                self.log.warning("%s: its cluster went away while the server stopped: %s", self._log_name, e)

    async def _suspend(self, kube: KubeApi, namespace: str, name: str, now: bool) -> bool:
        """Suspends the instance (suspend_on_stop) and deletes the Secret, whose token the hub revokes at stop (the
        next start writes a new one). Waits until the operator reports it Suspended unless now. False when there is
        no instance to suspend (gone or going)."""
        current = await kube.get_instance(namespace, name)
        if current is None or current["metadata"].get("deletionTimestamp"):
            return False
        if await kube.set_suspended(namespace, name, True) is None:
            return False
        await kube.delete_secret(namespace, self._secret_name())
        self.log.info("Suspended instance %s/%s of %s", namespace, name, self._log_name)
        if now:
            return True
        try:
            async with asyncio.timeout(self.stop_timeout):
                async for seen in kube.watch_instance(namespace, name):
                    if seen is None or (seen.get("status") or {}).get("phase") in ("Suspended", "Failed"):
                        return True
        except TimeoutError:
            raise SpawnError(
                f"The instance {namespace}/{name} was not suspended {self.stop_timeout} seconds after it was asked to be"
            ) from None
        return True

    async def _delete(self, kube: KubeApi, namespace: str) -> None:
        """Deletes the instance (its pods and services go with it; claims marked Retain stay) and the Secret."""
        await kube.delete_instance(namespace, self._instance_name())
        await kube.delete_secret(namespace, self._secret_name())

    async def _wait_gone(self, namespace: str, name: str, timeout: int) -> None:
        kube = await self.kube()
        try:
            async with asyncio.timeout(timeout):
                async for current in kube.watch_instance(namespace, name):
                    if current is None:
                        return
        except TimeoutError:
            raise SpawnError(
                f"The instance {namespace}/{name} was not gone {timeout} seconds after its deletion"
            ) from None

    # ------------------------------------------------------------------------------------------------- state

    def get_state(self):
        state = super().get_state()
        if self.instance_name:
            state["instance_name"] = self.instance_name
            state["secret_name"] = self.secret_name or self._secret_name()
            state["namespace"] = self.namespace
            if self.cluster_name != HOME:
                state["cluster"] = self.cluster_name
            if self.instance_uid:
                state["instance_uid"] = self.instance_uid
            if self.secret_uid:
                state["secret_uid"] = self.secret_uid
        elif self.legacy_pod:  # KubeSpawner's keys, so a restarted hub still finds its server
            state["pod_name"] = self.legacy_pod
            state["namespace"] = self.legacy_namespace or self.namespace
        if self.pvc_name:
            state["pvc_name"] = self.pvc_name  # KubeSpawner's key: switching back keeps the claim too
        if self.pending_deletions:
            state["pending_deletions"] = [p.to_state() for p in self.pending_deletions]
        return state

    def load_state(self, state):
        super().load_state(state)
        self.instance_name = state.get("instance_name") or None
        self.secret_name = state.get("secret_name") or None
        if self.instance_name and state.get("namespace"):
            self.namespace = state["namespace"]
        self.cluster_name = (state.get("cluster") or HOME) if self.instance_name else HOME
        self.instance_uid = state.get("instance_uid") if self.instance_name else None
        self.secret_uid = state.get("secret_uid") if self.instance_name else None
        remembered = [PendingDeletion.from_state(p) for p in state.get("pending_deletions") or []]
        self.pending_deletions = [p for p in remembered if p is not None]
        if self.pending_deletions and (self._retry_task is None or self._retry_task.done()):
            try:
                self._retry_task = asyncio.ensure_future(self._retry_until_done())
            except RuntimeError:  # no event loop (a script reading states): retried at the next start
                pass
        kubespawner = KubeSpawnerState.of(state)
        if kubespawner is not None:
            self.legacy_pod, self.legacy_namespace = kubespawner.pod_name, kubespawner.namespace
            try:
                self.pvc_name = self._claim_name(kubespawner)
            except SpawnError as e:  # reported again at the next start; the hub must come up
                self.log.error("%s: %s", self._log_name, e)
        else:
            self.pvc_name = state.get("pvc_name") or self.pvc_name

    def clear_state(self):
        super().clear_state()
        self.instance_name = None
        self.secret_name = None
        self.instance_uid = self.secret_uid = None
        self.legacy_pod = self.legacy_namespace = None  # pvc_name stays: the claim outlives the server
        # pending_deletions stay too: a stop that could not reach its cluster is finished later


async def _check_user_options(spawner: NotebookInstanceSpawner, user_options: dict) -> None:
    """Refuses bad options (400, with every problem) before the hub starts anything; start() checks again.

    The first step of a spawn, so this is where its progress log begins (a spawn page opened now must not replay
    the previous spawn's messages).
    """
    spawner._progress_log = log = ProgressLog()
    try:
        await spawner.plan()
    except BaseException:
        log.close()  # start() will not run: spawn pages following this log must end
        raise


async def _options_form(spawner: NotebookInstanceSpawner) -> str:
    """The spawn page's form, from the profiles and their templates' variables ("" when there is no choice)."""
    choices = []
    groups = access_module.user_groups(spawner.user)
    for profile in await spawner.profiles():
        try:
            template = await spawner.read_template(profile)
        except Exception as e:  # one unreadable template must not hide the other profiles
            spawner.log.warning("Cannot read template %s: %s", profile.template_name, e)
            template = None
        if template is not None and template.access is not None:
            if not template.access.grants(spawner.user.name, groups):
                continue  # the operator would refuse it: not offered (start() refuses it with the reason)
        choices.append((profile, template))
    if not choices:
        return ""  # nothing this user may use: the start is refused with the reason
    return profiles_module.render_form(choices, spawner.filled_variables())


def resumable(existing: dict, wanted: dict) -> bool:
    """Whether an existing instance is a suspended server this start may resume: suspended (by the hub or by a rule
    of the operator), not being deleted, and asking for the same server as the new start would (SERVER_FIELDS)."""
    if existing["metadata"].get("deletionTimestamp"):
        return False
    spec, status = existing.get("spec") or {}, existing.get("status") or {}
    if not spec.get("suspended") and status.get("phase") != "Suspended":
        return False
    new = wanted.get("spec") or {}
    return all((spec.get(k) or None) == (new.get(k) or None) for k in SERVER_FIELDS)


def _now_iso() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _event_time(event: dict) -> str:
    """When an Event last happened, as a comparable UTC time text (seconds; "" when it carries none)."""
    when = (
        ((event.get("series") or {}).get("lastObservedTime"))
        or event.get("eventTime")
        or event.get("deprecatedLastTimestamp")
        or ((event.get("metadata") or {}).get("creationTimestamp"))
        or ""
    )
    return str(when)[:19]
