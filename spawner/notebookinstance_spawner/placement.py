"""Placement of a start: the profile, its cluster and template, and the variable values, checked before anything is
created; the options form and the options check the hub runs before start().

A mixin of NotebookInstanceSpawner (it uses its settings, naming and cluster clients).
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import TYPE_CHECKING

from jupyterhub.utils import maybe_future

from . import access as access_module
from . import profiles as profiles_module
from .clusters import HOME, Cluster, Unreachable, is_unreachable
from .errors import SpawnError
from .progress import ProgressLog
from .variables import TemplateInfo, check_values

if TYPE_CHECKING:
    from .spawner import NotebookInstanceSpawner


class Placement:
    """plan(): where and what a start creates; the profiles and templates it chooses from."""

    def _cluster_of(self, profile: profiles_module.Profile) -> str:
        return profile.cluster if profile.cluster is not None else self.default_cluster

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


async def check_user_options(spawner: NotebookInstanceSpawner, user_options: dict) -> None:
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


async def options_form(spawner: NotebookInstanceSpawner) -> str:
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
