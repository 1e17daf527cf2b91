import asyncio
import random
import re
from types import SimpleNamespace

import pytest

from notebookinstance_spawner import slugs
from notebookinstance_spawner.slugs import ServerNames

# Awkward names: capitals, e-mail addresses, Unicode, '--' (which safe names never contain), digits first, long.
CORPUS = [
    "ada",
    "Ada",
    "ADA",
    "ada.lovelace@example.org",
    "ada--lovelace",
    "ada-",
    "-ada",
    "0ada",
    "123",
    "élodie",
    "José María",
    "用户",
    "🙂",
    "a" * 48,
    "a" * 49,
    "x" * 200,
    "a_b",
    "a b",
    "a.b",
    "",
    "-",
    "---",
    "user@sub.domain.example.com",
    "Ünïcödé-ÑÅMÉ",
    "test--",
    "abc---12345678",
]
SERVERS = ["", "gpu", "My Server", "a" * 60, "--", "données", "x"]

DNS_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")


def kubespawner_fields(username: str, servername: str) -> tuple[str, str, str]:
    """The real KubeSpawner 7.1.0's {username}, {servername}, {user_server}."""
    from jupyterhub.objects import Hub
    from kubespawner import KubeSpawner

    async def expand():
        user = SimpleNamespace(name=username, id=1, url="/user/x/", escaped_name="x")
        spawner = KubeSpawner(
            user=user, hub=Hub(), orm_spawner=SimpleNamespace(name=servername, server=None), _mock=True
        )
        return tuple(spawner._expand_user_properties("{username}|{servername}|{user_server}|").split("|")[:3])

    return asyncio.run(expand())


@pytest.fixture(scope="module")
def kubeconfig(tmp_path_factory):
    """KubeSpawner loads a kubeconfig when constructed, even mocked: give it a harmless one."""
    path = tmp_path_factory.mktemp("kube") / "config"
    path.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
        "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:1'}}]\n"
        "users: [{name: u, user: {token: x}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\n"
    )
    return str(path)


@pytest.mark.parametrize("servername", SERVERS)
def test_fields_match_kubespawner_7_1_0(servername, kubeconfig, monkeypatch):
    from kubernetes_asyncio.config import kube_config

    monkeypatch.setattr(kube_config, "KUBE_CONFIG_DEFAULT_LOCATION", kubeconfig)
    for username in CORPUS:
        if not username:
            continue  # JupyterHub has no user without a name
        names = ServerNames.of(username, servername)
        assert (names.username, names.servername, names.user_server) == kubespawner_fields(username, servername), (
            username,
            servername,
        )


def test_functions_match_kubespawner_slugs():
    from kubespawner import slugs as real

    for name in CORPUS:
        assert slugs.safe_slug(name) == real.safe_slug(name)
        assert slugs.safe_slug(name, max_length=48) == real.safe_slug(name, max_length=48)
        assert slugs.safe_slug(name, is_valid=slugs.is_valid_label) == real.safe_slug(
            name, is_valid=real.is_valid_label
        )
        for other in SERVERS:
            assert slugs.multi_slug([name, other]) == real.multi_slug([name, other])


def test_known_vectors():
    # fixed values, so a change of the algorithm cannot hide behind a change of both implementations
    names = ServerNames.of("ada.lovelace@example.org")
    assert names.username == names.user_server == "ada-lovelace-example-org---7799473f"
    assert names.servername == ""
    assert names.username_label == "ada-lovelace-example---7799473f"
    assert ServerNames.of("ada").user_server == "ada"
    assert ServerNames.of("ada", "gpu").user_server == "ada--gpu"
    capital = ServerNames.of("Ada", "gpu")
    assert (capital.username, capital.user_server, capital.username_label) == (
        "ada---99a563ab",
        "ada---99a563ab--gpu",
        "Ada",
    )
    long = ServerNames.of("x" * 200, "My Server")
    assert long.user_server == "xxxxxxxxxxxxxxxxx--my-server---3578fa13"
    assert long.servername == "my-server---c2d9a82f"


def test_names_are_valid_dns_labels_for_random_input():
    rng = random.Random(20261125)
    alphabet = "aZ09-_.@ éü用🙂" + "\u0301"
    for _ in range(2000):
        username = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 120)))
        servername = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80)))
        names = ServerNames.of(username, servername)
        for value in (names.username, names.user_server, "jupyter-" + names.user_server):
            assert DNS_LABEL.fullmatch(value) and len(value) <= 63, (username, servername, value)
        assert len(names.user_server) <= slugs.FIELD_MAX_LENGTH
        assert slugs.is_valid_label(names.username_label) and slugs.is_valid_label(names.servername_label)


def test_distinct_users_and_servers_get_distinct_names():
    seen = {}
    for username in [n for n in CORPUS if n] + ["ada.lovelace@example.com", "Ada.Lovelace@example.org"]:
        for servername in SERVERS:
            key = ServerNames.of(username, servername).user_server
            assert key not in seen, (username, servername, seen.get(key))
            seen[key] = (username, servername)


def test_too_short_lengths_are_refused():
    with pytest.raises(ValueError):
        slugs.strip_and_hash("x", max_length=11)
    with pytest.raises(ValueError):
        slugs.multi_slug(["a", "b", "c"], max_length=20)
