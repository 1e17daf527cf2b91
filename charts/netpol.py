"""A NetworkPolicy evaluator for the chart tests: does a set of policies let one pod reach another on a port?

Kubernetes' semantics (policies are additive allow-lists; a pod selected by no policy of a direction allows all of
it), evaluated as Cilium applies them: ``ipBlock`` peers never match pods in the cluster, only outside addresses.
So a check that passes here needs no address range for in-cluster traffic.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Pod:
    name: str
    namespace: str
    labels: dict
    ports: dict = field(default_factory=dict)  # named container ports -> number

    def __hash__(self):
        return hash((self.name, self.namespace))


@dataclass(frozen=True)
class Outside:
    address: str


def selects(selector: dict | None, labels: dict) -> bool:
    if selector is None:
        return False
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        key, op, values = expression["key"], expression["operator"], expression.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and labels.get(key) in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


class Cluster:
    def __init__(self, policies: list[dict], namespace_labels: dict[str, dict]):
        self.policies, self.namespace_labels = policies, namespace_labels

    def _ns_labels(self, namespace: str) -> dict:
        return {"kubernetes.io/metadata.name": namespace, **self.namespace_labels.get(namespace, {})}

    def _peer_matches(self, peer: dict, policy_ns: str, other) -> bool:
        if isinstance(other, Outside):
            block = peer.get("ipBlock")
            if not block:
                return False
            address = ipaddress.ip_address(other.address)
            return address in ipaddress.ip_network(block["cidr"]) and not any(
                address in ipaddress.ip_network(e) for e in block.get("except") or []
            )
        if "ipBlock" in peer:
            return False  # Cilium: address ranges do not apply to pods
        if "namespaceSelector" in peer:
            if not selects(peer["namespaceSelector"], self._ns_labels(other.namespace)):
                return False
        elif other.namespace != policy_ns:
            return False
        return "podSelector" not in peer or selects(peer["podSelector"], other.labels)

    @staticmethod
    def _port_matches(ports: list | None, target, port: int, protocol: str) -> bool:
        if not ports:
            return True
        for entry in ports:
            if entry.get("protocol", "TCP") != protocol:
                continue
            wanted = entry.get("port")
            if wanted is None:
                return True
            if isinstance(wanted, str) and not wanted.isdigit():
                wanted = target.ports.get(wanted) if isinstance(target, Pod) else None
            if wanted is not None and int(wanted) <= port <= int(entry.get("endPort", wanted)):
                return True
        return False

    def _applying(self, pod: Pod, kind: str) -> list[dict]:
        return [
            p
            for p in self.policies
            if p["metadata"].get("namespace") == pod.namespace
            and selects(p["spec"].get("podSelector", {}), pod.labels)
            and kind in p["spec"].get("policyTypes", ["Ingress"])
        ]

    def allows(self, source, target, port: int, protocol: str = "TCP") -> bool:
        """Whether source (a Pod) may open a connection to target (a Pod or an Outside address)."""
        if isinstance(source, Pod):
            egress = self._applying(source, "Egress")
            if egress and not any(
                self._port_matches(rule.get("ports"), target, port, protocol)
                and (
                    not rule.get("to")
                    or any(self._peer_matches(peer, p["metadata"]["namespace"], target) for peer in rule["to"])
                )
                for p in egress
                for rule in p["spec"].get("egress") or []
            ):
                return False
        if isinstance(target, Pod):
            ingress = self._applying(target, "Ingress")
            if ingress and not any(
                self._port_matches(rule.get("ports"), target, port, protocol)
                and (
                    not rule.get("from")
                    or any(self._peer_matches(peer, p["metadata"]["namespace"], source) for peer in rule["from"])
                )
                for p in ingress
                for rule in p["spec"].get("ingress") or []
            ):
                return False
        return True
