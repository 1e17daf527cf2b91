"""The base class of every generated model: Kubernetes' JSON in, the same JSON out."""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel, ConfigDict


class KubernetesModel(BaseModel):
    """A pydantic model of a Kubernetes object or part of one.

    Fields are snake_case in Python and camelCase on the wire (both are accepted on input). Fields unknown to this
    version of the models are kept, not dropped, so an object read from a newer API server is written back whole.
    """

    model_config = ConfigDict(populate_by_name=True, extra="allow")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Validates the object's JSON (as read from the API server or a YAML file)."""
        return cls.model_validate(data)

    def to_dict(self) -> dict[str, Any]:
        """The object's JSON, with only the fields that were given (no defaults, no nulls that were not set)."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)
