"""One name per operation: the spec's operationId names the handler, the service function and each client's method."""

from __future__ import annotations

import importlib
import inspect

import pytest

from expapi.client.base import Client
from expapi.client.json_client import JsonClient
from expapi.client.local_client import LocalClient
from spec_operations import Operation, spec_operations

OPERATIONS = spec_operations()


def by_id(operation: Operation) -> str:
    return operation.operation_id


@pytest.mark.parametrize("operation", OPERATIONS, ids=by_id)
def test_the_handler_calls_the_service_function_of_the_same_name(operation: Operation) -> None:
    handler = getattr(importlib.import_module(operation.controller), operation.operation_id)
    service = importlib.import_module(operation.controller.replace("expapi.handlers.", "expapi.service."))
    function = getattr(service, operation.operation_id, None)
    assert inspect.isfunction(function), f"expapi.service has no {operation.operation_id}"
    # The handler's body calls it by name (through the module it imports).
    assert f".{operation.operation_id}(" in inspect.getsource(handler.__wrapped__)


@pytest.mark.parametrize("operation", OPERATIONS, ids=by_id)
@pytest.mark.parametrize("client_class", [JsonClient, LocalClient])
def test_each_client_has_the_method(operation: Operation, client_class: type[Client]) -> None:
    method = getattr(client_class, operation.operation_id, None)
    assert callable(method), f"{client_class.__name__} has no {operation.operation_id}"
    assert not getattr(method, "__isabstractmethod__", False)


def test_the_client_interface_is_exactly_the_operations() -> None:
    abstract = set(Client.__abstractmethods__)
    assert abstract == {operation.operation_id for operation in OPERATIONS}
