"""internal_ssl: the certificate the hub makes names the server's Service, its files travel in the server's Secret,
the server is told where the template mounts them, and the hub uses https (against the fake API server)."""

import asyncio

import pytest
from certipy import Certipy
from conftest import NAMESPACE, StandInOperator
from cryptography import x509
from fake_kube import secret_env
from jupyterhub.spawner import Spawner
from test_lifecycle import NAME, started

from notebookinstance_spawner import SpawnError
from notebookinstance_spawner.internal_ssl import SECRET_FILES, _certifies

#: JupyterHub >= 5.4.1 takes a callable ssl_alt_names (before: a list only)
CALLABLE_ALT_NAMES = type(Spawner.class_traits()["ssl_alt_names"]).__name__ == "Union"


def tls_spawner(spawner_factory, tmp_path, **config):
    """A spawner as the hub makes it with internal_ssl on: its certs location and the notebooks CA's trust bundle."""
    certipy = Certipy(store_dir=str(tmp_path))
    for ca in ("notebooks-ca", "hub-ca"):
        certipy.create_ca(ca)
    bundles = certipy.trust_from_graph({"notebooks-ca": ["hub-ca", "notebooks-ca"]})
    return spawner_factory(
        internal_ssl=True, internal_certs_location=str(tmp_path), internal_trust_bundles=bundles, **config
    )


def alt_names(path: str) -> list[str]:
    cert = x509.load_pem_x509_certificate(open(path, "rb").read())
    return [
        str(n)
        for n in cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
            x509.DNSName
        )
    ]


async def test_certificate_secret_env_and_https(spawner_factory, fake, tmp_path):
    spawner = tls_spawner(spawner_factory, tmp_path, ssl_alt_names=["DNS:notebooks.example.org"])
    paths = await spawner.create_certs()  # as the hub does before start()
    assert alt_names(paths["certfile"]) == [
        NAME,
        f"{NAME}.{NAMESPACE}",
        f"{NAME}.{NAMESPACE}.svc",
        f"{NAME}.{NAMESPACE}.svc.cluster.local",
        "notebooks.example.org",  # the admin's names come after the server's own; no localhost
    ]
    assert spawner.ssl_alt_names == ["DNS:notebooks.example.org"]  # the setting itself is left as it was
    spawner.cert_paths = await spawner.move_certs(paths)
    assert spawner.cert_paths == {
        "keyfile": "/etc/jupyterhub/ssl/ssl.key",
        "certfile": "/etc/jupyterhub/ssl/ssl.crt",
        "cafile": "/etc/jupyterhub/ssl/notebooks-ca_trust.crt",
    }

    service = f"{NAME}.{NAMESPACE}.svc.cluster.local"
    url = await started_at(spawner, fake, f"http://{service}:8888")
    assert url == f"https://{service}:8888"  # an http:// address becomes https://: the server speaks only TLS
    secret = secret_env(fake.get("secrets", NAMESPACE, NAME))
    for field, (key, _) in SECRET_FILES.items():
        assert secret[key] == open(paths[field]).read()
    assert secret["JUPYTERHUB_API_TOKEN"] == "secret-token-123"
    instance = fake.get("jupyternotebookinstances", NAMESPACE, NAME)
    env = instance["spec"]["env"]
    assert env["JUPYTERHUB_SSL_KEYFILE"] == "/etc/jupyterhub/ssl/ssl.key"
    assert env["JUPYTERHUB_SSL_CERTFILE"] == "/etc/jupyterhub/ssl/ssl.crt"
    assert env["JUPYTERHUB_SSL_CLIENT_CA"] == "/etc/jupyterhub/ssl/notebooks-ca_trust.crt"
    assert env["JUPYTERHUB_SERVICE_URL"].startswith("https://")
    assert not any("PRIVATE KEY" in str(v) for v in env.values())
    await spawner.stop(now=True)


async def started_at(spawner, fake, url: str) -> str:
    operator = StandInOperator(fake, NAME)
    start = asyncio.create_task(spawner.start())
    await operator.provision()
    await operator.ready(url)
    return await asyncio.wait_for(start, 20)


async def test_an_address_the_certificate_does_not_name_fails_at_once(spawner_factory, fake, tmp_path):
    spawner = tls_spawner(spawner_factory, tmp_path)
    spawner.cert_paths = await spawner.move_certs(await spawner.create_certs())
    with pytest.raises(
        SpawnError, match=r"address https://127\.8\.0\.5:8888 is not a name its certificate was made for"
    ):
        await started_at(spawner, fake, "http://127.8.0.5:8888")  # the pod's IP: unknown when the certificate was made
    assert await asyncio.wait_for(_gone(fake), 20)  # cleaned up like any failed start


async def _gone(fake):
    while fake.get("jupyternotebookinstances", NAMESPACE, NAME) is not None:
        await asyncio.sleep(0.05)
    return True


def test_certificate_name_matching():
    assert _certifies("DNS:a.b.svc", "A.b.svc")
    assert _certifies("DNS:*.hub.example.org", "x.hub.example.org")
    assert not _certifies("DNS:*.hub.example.org", "x.y.hub.example.org")
    assert _certifies("IP:10.0.0.7", "10.0.0.7") and not _certifies("IP:10.0.0.7", "10.0.0.8")
    assert not _certifies("DNS:a.b", "a.b.c")


@pytest.mark.skipif(not CALLABLE_ALT_NAMES, reason="this JupyterHub takes ssl_alt_names as a list only")
async def test_a_callable_ssl_alt_names_and_another_mount_path(spawner_factory, fake, tmp_path):
    async def names(spawner):
        await asyncio.sleep(0)
        return [f"DNS:{spawner.user.id}.hub.example.org"]

    spawner = tls_spawner(spawner_factory, tmp_path, ssl_alt_names=names, internal_ssl_mount_path="/srv/tls")
    paths = await spawner.create_certs()
    assert alt_names(paths["certfile"])[-1] == "42.hub.example.org"
    assert (await spawner.move_certs(paths))["keyfile"] == "/srv/tls/ssl.key"


async def test_without_internal_ssl_nothing_changes(spawner_factory, fake):
    spawner = spawner_factory()
    url, _ = await started(spawner, fake)
    assert url == "http://127.8.0.5:8888"
    secret = secret_env(fake.get("secrets", NAMESPACE, NAME))
    assert not [k for k in secret if k.startswith("JUPYTERHUB_SSL")]
    assert not [k for k in fake.get("jupyternotebookinstances", NAMESPACE, NAME)["spec"]["env"] if "SSL" in k]
    await spawner.stop(now=True)
