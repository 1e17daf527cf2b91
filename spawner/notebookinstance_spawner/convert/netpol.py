"""The template's own NetworkPolicy for a server: Zero-to-JupyterHub's singleuser policy, made to work anywhere.

Same rules as the chart's ``singleuser.networkPolicy`` (its egressAllowRules, allowedIngressPorts, ingress, egress
and interNamespaceAccessLabels), with two changes: in-cluster peers (hub, proxy, autohttps, DNS) are chosen by
pod and namespace selectors, never by address ranges, which Cilium does not apply to pod-to-pod traffic; and the
hub's namespace is named explicitly (``{hub_namespace}``), so a server in another namespace (the operator chart's
``hub.namespaces``) is reached by the hub and proxy and reaches them. Address ranges are only used for the outside.
"""

from __future__ import annotations

import copy
from typing import Any

from .placeholders import literal, literal_all
from .values import Release

PRIVATE_RANGES = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
INSTANCE_LABEL = "kubespawner.jupyterhub.org/instance"
HUB_NAMESPACE = {"matchLabels": {"kubernetes.io/metadata.name": "{hub_namespace}"}}
ACCESS_SINGLEUSER = "hub.jupyter.org/network-access-singleuser"


def network_policy(release: Release) -> dict[str, Any] | None:
    """The template's networkPolicies entry, or None when singleuser.networkPolicy.enabled is false."""
    policy = release.get("singleuser.networkPolicy") or {}
    if not policy.get("enabled"):
        return None
    metadata_ip = release.get("singleuser.cloudMetadata.ip") or "169.254.169.254"
    labels = {"app": literal(release.app_label), "release": literal(release.name), "component": "singleuser-server"}
    return {
        "name": "singleuser-{user_server}",
        "labels": labels,
        "spec": {
            # only this server's pod: the operator labels everything it creates with its instance's name
            "podSelector": {"matchLabels": {INSTANCE_LABEL: "{instance_name}"}},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": _ingress(policy),
            "egress": _egress(release, policy, metadata_ip),
        },
    }


def _ingress(policy: dict) -> list[dict]:
    rules = []
    if policy.get("allowedIngressPorts"):
        rules.append({"ports": [{"port": literal_all(p)} for p in policy["allowedIngressPorts"]]})
    sources: list[dict] = [
        {"namespaceSelector": copy.deepcopy(HUB_NAMESPACE), "podSelector": _labelled(ACCESS_SINGLEUSER)}
    ]
    if policy.get("interNamespaceAccessLabels") == "accept":
        sources.append({"namespaceSelector": {}, "podSelector": _labelled(ACCESS_SINGLEUSER)})
        sources.append({"namespaceSelector": _labelled(ACCESS_SINGLEUSER)})
    rules.append({"ports": [{"port": "notebook-port"}], "from": sources})
    rules += literal_all(copy.deepcopy(policy.get("ingress") or []))
    return rules


def _egress(release: Release, policy: dict, metadata_ip: str) -> list[dict]:
    rules = [
        _to_component(release, "hub", [8081]),
        _to_component(release, "proxy", [8000]),
        _to_component(release, "autohttps", [8080, 8443]),
    ]
    allow = policy.get("egressAllowRules") or {}
    dns_peers: list[dict] = []
    if allow.get("dnsPortsCloudMetadataServer"):
        dns_peers.append({"ipBlock": {"cidr": f"{metadata_ip}/32"}})
    if allow.get("dnsPortsKubeSystemNamespace"):
        dns_peers.append({"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}})
    if allow.get("dnsPortsPrivateIPs"):
        dns_peers += [{"ipBlock": {"cidr": cidr}} for cidr in PRIVATE_RANGES]
    if dns_peers:
        rules.append(
            {"ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}], "to": literal_all(dns_peers)}
        )
    if allow.get("nonPrivateIPs"):
        outside = {"cidr": "0.0.0.0/0", "except": [*PRIVATE_RANGES, f"{metadata_ip}/32"]}
        rules.append({"to": [{"ipBlock": literal_all(outside)}]})
    if allow.get("privateIPs"):
        rules.append({"to": [{"ipBlock": {"cidr": cidr}} for cidr in PRIVATE_RANGES]})
    if allow.get("cloudMetadataServer"):
        rules.append({"to": [{"ipBlock": {"cidr": literal(f"{metadata_ip}/32")}}]})
    rules += literal_all(copy.deepcopy(policy.get("egress") or []))
    return rules


def _to_component(release: Release, component: str, ports: list[int]) -> dict:
    selector = {
        "matchLabels": {
            "app": literal(release.app_label),
            "release": literal(release.name),
            "component": component,
        }
    }
    return {
        "to": [{"namespaceSelector": copy.deepcopy(HUB_NAMESPACE), "podSelector": selector}],
        "ports": [{"port": p} for p in ports],
    }


def _labelled(label: str) -> dict:
    return {"matchLabels": {label: "true"}}
