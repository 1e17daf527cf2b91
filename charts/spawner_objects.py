#!/usr/bin/env python3
"""Prints, as a JSON list, the Secret and JupyterNotebookInstance that the real NotebookInstanceSpawner (spawner/)
builds for a few servers, with its default configuration (and one with JupyterHub's internal_ssl: its key and
certificates in the Secret), so charts/test can send them to the API server as the hub and check that the chart's
admission policy and RBAC admit exactly what the spawner writes.

    spawner/.venv/bin/python charts/spawner_objects.py <namespace> <template.yaml>

Runs in the spawner's own venv (it imports notebookinstance_spawner and jupyterhub). No API server is contacted:
the spawner reads its template through a stand-in that returns the given file.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from types import SimpleNamespace

import yaml
from certipy import Certipy
from jupyterhub import orm
from jupyterhub.objects import Hub

from notebookinstance_spawner import NotebookInstanceSpawner


class TemplateOnly:
    """The one API call plan() makes, answered from a file."""

    def __init__(self, template: dict):
        self.template = template

    async def get_template(self, namespace: str, name: str, max_age: float = 0) -> dict | None:
        return self.template if name == self.template["metadata"]["name"] else None


def spawner(namespace: str, template: dict, username: str, servername: str, user_id: int) -> NotebookInstanceSpawner:
    user = SimpleNamespace(
        name=username, id=user_id, url=f"/user/{username}/", escaped_name=username.replace("@", "%40")
    )
    prefix = f"/user/{username}/" + (f"{servername}/" if servername else "")
    orm_spawner = SimpleNamespace(
        name=servername,
        display_name=servername,
        state=None,
        user_options={},
        server=orm.Server(base_url=prefix, proto="http", ip="", port=0, cookie_name="c"),
    )
    s = NotebookInstanceSpawner(
        user=user,
        hub=Hub(),
        orm_spawner=orm_spawner,
        namespace=namespace,
        template_name=template["metadata"]["name"],
        api_token="a-token-for-the-check",
        oauth_client_id=f"jupyterhub-user-{user.escaped_name}",
    )
    s._kube = TemplateOnly(template)
    return s


async def main() -> None:
    namespace, template_file = sys.argv[1], sys.argv[2]
    template = yaml.safe_load(open(template_file))
    template["metadata"]["namespace"] = namespace  # the template lives beside the servers, as the chart installs it
    objects = []
    certs = tempfile.mkdtemp()
    for username, servername, user_id, internal_ssl in [
        ("ada.lovelace@example.org", "", 42, False),
        ("Grace Hopper", "GPU box", 7, False),
        ("Jürgen Müller-Lüdenscheidt", "", 9, False),
        ("Dorothy Hodgkin", "", 11, True),
    ]:
        s = spawner(namespace, template, username, servername, user_id)
        if internal_ssl:  # as the hub does before start() with c.JupyterHub.internal_ssl = True
            certipy = Certipy(store_dir=certs)
            certipy.create_ca("notebooks-ca")
            s.internal_ssl, s.internal_certs_location = True, certs
            s.internal_trust_bundles = certipy.trust_from_graph({"notebooks-ca": ["notebooks-ca"]})
            s.cert_paths = await s.move_certs(await s.create_certs())
        profile, tmpl, variables = await s.plan()
        secret, instance = s.build_objects(profile, tmpl, variables)
        objects += [secret, instance]
    json.dump({"apiVersion": "v1", "kind": "List", "items": objects}, sys.stdout, indent=1)


if __name__ == "__main__":
    asyncio.run(main())
