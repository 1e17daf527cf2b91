"""Memory and CPU amounts: KubeSpawner's reading of them, written as Kubernetes quantities that mean the same.

KubeSpawner (JupyterHub's ByteSpecification) reads ``2G`` as 2 × 1024³ bytes; Kubernetes reads ``2G`` as 2 × 10⁹.
So a converted template never carries the admin's text: it carries the bytes KubeSpawner would have asked for,
written exactly (``2Gi``; ``1610612736`` when no binary suffix divides it).
"""

from __future__ import annotations

_BYTE_SUFFIXES = {"K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}
_BINARY = (("Ti", 1024**4), ("Gi", 1024**3), ("Mi", 1024**2), ("Ki", 1024))


def jupyterhub_bytes(value: object) -> int:
    """The number of bytes JupyterHub's ByteSpecification makes of a value (int, float, or e.g. "1.5G").

    Raises ValueError with the accepted forms for anything else (KubeSpawner would refuse it at spawn time).
    """
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not an amount of memory")
    if isinstance(value, int | float):
        return int(value)
    text = str(value)
    try:
        number = float(text[:-1])
    except ValueError:
        raise ValueError(
            f"{text!r} is not an amount of memory KubeSpawner accepts: a number followed by K, M, G or T"
            " (1024-based), e.g. 512M or 1.5G"
        ) from None
    suffix = text[-1:]
    if suffix not in _BYTE_SUFFIXES:
        raise ValueError(f"{text!r}: the unit must be K, M, G or T (1024-based), not {suffix!r}")
    return int(number * _BYTE_SUFFIXES[suffix])


def memory_quantity(value: object) -> str:
    """The Kubernetes quantity for KubeSpawner's reading of value: "2Gi" for 2G."""
    amount = jupyterhub_bytes(value)
    for suffix, factor in _BINARY:
        if amount and amount % factor == 0:
            return f"{amount // factor}{suffix}"
    return str(amount)


def cpu_value(value: object) -> float:
    """KubeSpawner's reading of a CPU amount (a float trait): 0.5, 2.0."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not an amount of CPU")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(
            f"{value!r} is not an amount of CPU KubeSpawner accepts: a number of cores, e.g. 0.5"
        ) from None


def cpu_quantity(value: object) -> str:
    """The Kubernetes quantity for a CPU amount: "2" for 2.0, "0.5" for 0.5."""
    number = cpu_value(value)
    return str(int(number)) if number.is_integer() else repr(number)
