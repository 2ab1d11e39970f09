"""The operations the spec declares, for tests that must cover every one of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from expapi.app import load_spec

METHODS = ("get", "put", "post", "patch", "delete")


@dataclass(frozen=True)
class Operation:
    """One operation of the spec: its operationId, method, path template and definition."""

    operation_id: str
    method: str
    path: str
    controller: str
    parameters: tuple[dict[str, Any], ...]
    definition: dict[str, Any]

    def example_path(self, **values: str) -> str:
        """The path with each parameter set to ``values`` or else the spec's example, encoded as a client would."""
        path = self.path
        for parameter in self.parameters:
            if parameter["in"] == "path":
                value = values.get(parameter["name"], parameter.get("example"))
                path = path.replace("{" + parameter["name"] + "}", quote(str(value), safe=""))
        return path

    def example_body(self) -> Any:
        """The first example of the JSON body, or None when the operation takes none."""
        content = self.definition.get("requestBody", {}).get("content", {}).get("application/json")
        if content is None:
            return None
        if "example" in content:
            return content["example"]
        return next(iter(content["examples"].values()))["value"]


def spec_operations() -> list[Operation]:
    """Every operation of the spec, in the spec's order."""
    spec = load_spec()
    shared = spec["components"]["parameters"]

    def resolved(parameters: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [shared[p["$ref"].rsplit("/", 1)[-1]] if "$ref" in p else p for p in parameters]

    operations = []
    for path, item in spec["paths"].items():
        common = resolved(item.get("parameters", []))
        for method in METHODS:
            if method in item:
                definition = item[method]
                operations.append(Operation(
                    operation_id=definition["operationId"],
                    method=method.upper(),
                    path=path,
                    controller=definition["x-openapi-router-controller"],
                    parameters=tuple(common + resolved(definition.get("parameters", []))),
                    definition=definition,
                ))
    return operations
