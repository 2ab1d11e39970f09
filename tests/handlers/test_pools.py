"""Pools: list, get, create (an upsert) and delete, with Airflow's acceptance checks, in both flavours.

A 2-flavour pool also shows ``include_deferred`` (Airflow 2.7+), always false here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from expapi.db import Database
from expapi.models import Pool
from handler_support import JSON, NOT_FOUND_URL, answer, by_flavour
from http_helpers import API

POOLS = f"{API}/pools"
DEFAULT_POOL = {"description": "Default pool", "id": 1, "pool": "default_pool", "slots": 128}
EXPERIMENTAL_1 = {"description": "experimental_1", "id": 2, "pool": "experimental_1", "slots": 0}
EXPERIMENTAL_2 = {"description": "experimental_2", "id": 3, "pool": "experimental_2", "slots": 1}
EMPTY_NAME = {"error": "Pool name shouldn't be empty"}


@pytest.fixture(autouse=True)
def experimental_pools(database: Database) -> None:
    """Airflow's pool-test fixture: experimental_1 (0 slots) and experimental_2 (1 slot)."""
    with database.transaction() as session:
        for name, slots in (("experimental_1", 0), ("experimental_2", 1)):
            session.add(Pool(pool=name, slots=slots, description=name))


@pytest.fixture
def shown(flavour_name: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A pool as the flavour shows it: 2.x adds include_deferred."""

    def shown(pool: dict[str, Any]) -> dict[str, Any]:
        return by_flavour(flavour_name, v1_10=pool, v2={**pool, "include_deferred": False})

    return shown


def pool_names(client: TestClient) -> list[str]:
    return [pool["pool"] for pool in client.get(POOLS).json()]


class TestListPools:
    def test_lists_every_pool_in_creation_order(self, client: TestClient, shown: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        assert answer(client.get(POOLS)) == (200, JSON, [shown(DEFAULT_POOL), shown(EXPERIMENTAL_1), shown(EXPERIMENTAL_2)])

    def test_creation_order_is_not_name_order(self, client: TestClient) -> None:
        client.post(POOLS, json={"name": "a_pool", "slots": 2, "description": None})
        assert pool_names(client) == ["default_pool", "experimental_1", "experimental_2", "a_pool"]

    def test_writes_json_as_the_lines_flask_did(self, client: TestClient, flavour_name: str) -> None:
        assert client.get(POOLS).text == by_flavour(
            flavour_name,
            v1_10=(
                '[{"description":"Default pool","id":1,"pool":"default_pool","slots":128},'
                '{"description":"experimental_1","id":2,"pool":"experimental_1","slots":0},'
                '{"description":"experimental_2","id":3,"pool":"experimental_2","slots":1}]\n'
            ),
            v2=(
                '[{"description": "Default pool", "id": 1, "include_deferred": false, "pool": "default_pool", "slots": 128}, '
                '{"description": "experimental_1", "id": 2, "include_deferred": false, "pool": "experimental_1", "slots": 0}, '
                '{"description": "experimental_2", "id": 3, "include_deferred": false, "pool": "experimental_2", "slots": 1}]'
            ),
        )


class TestGetPool:
    def test_returns_the_pool(self, client: TestClient, shown: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        assert answer(client.get(f"{POOLS}/experimental_2")) == (200, JSON, shown(EXPERIMENTAL_2))

    def test_returns_default_pool(self, client: TestClient, shown: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        assert answer(client.get(f"{POOLS}/default_pool")) == (200, JSON, shown(DEFAULT_POOL))

    def test_an_unknown_pool_is_404(self, client: TestClient) -> None:
        assert answer(client.get(f"{POOLS}/foo")) == (404, JSON, {"error": "Pool 'foo' doesn't exist"})

    def test_names_are_case_sensitive(self, client: TestClient) -> None:
        assert answer(client.get(f"{POOLS}/Default_Pool")) == (404, JSON, {"error": "Pool 'Default_Pool' doesn't exist"})

    @pytest.mark.parametrize("blank", ["%20", "%20%20", "%09"])
    def test_a_blank_name_is_400(self, client: TestClient, blank: str) -> None:
        assert answer(client.get(f"{POOLS}/{blank}")) == (400, JSON, EMPTY_NAME)

    def test_an_empty_segment_matches_no_route(self, client: TestClient) -> None:
        # The spec: "a truly empty segment (/pools/) matches no route and answers 404".
        assert answer(client.get(f"{POOLS}/", follow_redirects=False)) == (404, JSON, {"error": NOT_FOUND_URL})


class TestCreatePool:
    def test_creates_a_pool(self, client: TestClient, shown: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        response = client.post(POOLS, json={"name": "foo", "slots": 1, "description": ""})
        assert answer(response) == (200, JSON, shown({"description": "", "id": 4, "pool": "foo", "slots": 1}))
        assert len(client.get(POOLS).json()) == 4
        assert client.get(f"{POOLS}/foo").json() == shown({"description": "", "id": 4, "pool": "foo", "slots": 1})

    def test_writes_json_as_the_lines_flask_did(self, client: TestClient, flavour_name: str) -> None:
        response = client.post(POOLS, json={"name": "foo", "slots": 1, "description": "d"})
        assert response.text == by_flavour(
            flavour_name,
            v1_10='{"description":"d","id":4,"pool":"foo","slots":1}\n',
            v2='{"description": "d", "id": 4, "include_deferred": false, "pool": "foo", "slots": 1}',
        )

    def test_an_existing_name_is_updated_in_place(self, client: TestClient, shown: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        response = client.post(POOLS, json={"name": "experimental_1", "slots": 5, "description": "new"})
        assert answer(response) == (200, JSON, shown({"description": "new", "id": 2, "pool": "experimental_1", "slots": 5}))
        assert client.get(POOLS).json() == [
            shown(DEFAULT_POOL),
            shown({"description": "new", "id": 2, "pool": "experimental_1", "slots": 5}),
            shown(EXPERIMENTAL_2),
        ]

    def test_default_pool_can_be_updated(self, client: TestClient, shown: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        response = client.post(POOLS, json={"name": "default_pool", "slots": 64, "description": None})
        assert answer(response) == (200, JSON, shown({"description": None, "id": 1, "pool": "default_pool", "slots": 64}))
        assert client.get(f"{POOLS}/default_pool").json() == shown(
            {"description": None, "id": 1, "pool": "default_pool", "slots": 64}
        )

    @pytest.mark.parametrize("name", ["a/b", "/", "a/"])
    def test_a_name_no_url_can_address_is_refused(self, client: TestClient, name: str) -> None:
        # Airflow created it, and then no URL could read or delete it.
        expected = {"error": "Pool name can't contain '/': no URL could name the pool to read or delete it"}
        assert answer(client.post(POOLS, json={"name": name, "slots": 1, "description": ""})) == (400, JSON, expected)
        assert pool_names(client) == ["default_pool", "experimental_1", "experimental_2"]

    def test_description_may_be_null(self, client: TestClient, shown: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        response = client.post(POOLS, json={"name": "foo", "slots": 1, "description": None})
        assert answer(response) == (200, JSON, shown({"description": None, "id": 4, "pool": "foo", "slots": 1}))

    def test_the_body_is_read_as_json_whatever_its_content_type(self, client: TestClient, shown: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        response = client.post(
            POOLS,
            content=b'{"name": "foo", "slots": 1, "description": "d"}',
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert answer(response) == (200, JSON, shown({"description": "d", "id": 4, "pool": "foo", "slots": 1}))

    @pytest.mark.parametrize(
        ("slots", "stored"),
        [
            ("5", 5),
            (" 7 ", 7),
            (1.7, 1),
            (-1.7, -1),
            (-5, -5),
            (0, 0),
            (2**31 - 1, 2**31 - 1),
            (-(2**31), -(2**31)),
        ],
    )
    def test_slots_are_read_with_int(self, client: TestClient, shown: Callable[[dict[str, Any]], dict[str, Any]], slots: Any, stored: int) -> None:
        response = client.post(POOLS, json={"name": "foo", "slots": slots, "description": None})
        assert answer(response) == (200, JSON, shown({"description": None, "id": 4, "pool": "foo", "slots": stored}))

    @pytest.mark.parametrize(
        ("slots", "shown"),
        [
            ("abc", "abc"),
            ("", ""),
            ("1.5", "1.5"),
            (None, "None"),
            ([1], "[1]"),
            ({}, "{}"),
            (2**31, "2147483648"),
            (-(2**31) - 1, "-2147483649"),
        ],
    )
    def test_slots_that_int_cannot_read_are_400(self, client: TestClient, slots: Any, shown: str) -> None:
        response = client.post(POOLS, json={"name": "foo", "slots": slots, "description": None})
        assert answer(response) == (400, JSON, {"error": f"Bad value for `slots`: {shown}"})
        assert pool_names(client) == ["default_pool", "experimental_1", "experimental_2"]

    @pytest.mark.parametrize("name", ["", "    ", "\t", None])
    def test_an_empty_name_is_400(self, client: TestClient, name: str | None) -> None:
        response = client.post(POOLS, json={"name": name, "slots": 1, "description": None})
        assert answer(response) == (400, JSON, EMPTY_NAME)
        assert len(client.get(POOLS).json()) == 3

    def test_an_empty_name_is_reported_before_bad_slots(self, client: TestClient) -> None:
        response = client.post(POOLS, json={"name": "", "slots": "abc", "description": None})
        assert answer(response) == (400, JSON, EMPTY_NAME)

    def test_a_name_of_256_characters_is_accepted(self, client: TestClient, shown: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        name = "p" * 256
        response = client.post(POOLS, json={"name": name, "slots": 1, "description": None})
        assert answer(response) == (200, JSON, shown({"description": None, "id": 4, "pool": name, "slots": 1}))

    def test_a_name_of_257_characters_is_400(self, client: TestClient) -> None:
        response = client.post(POOLS, json={"name": "p" * 257, "slots": 1, "description": None})
        assert answer(response) == (400, JSON, {"error": "Pool name can't be more than 256 characters"})
        assert len(client.get(POOLS).json()) == 3

    @pytest.mark.parametrize(
        ("body", "error"),
        [
            ({"name": "foo", "slots": 1}, "'description' is a required property"),
            ({"slots": 1, "description": None}, "'name' is a required property"),
            ({"name": "foo", "description": None}, "'slots' is a required property"),
            (
                {"name": "foo", "slots": 1, "description": None, "include_deferred": False},
                "Additional properties are not allowed ('include_deferred' was unexpected)",
            ),
            ({"name": 5, "slots": 1, "description": None}, "5 is not of type 'string' (at name)"),
            ({"name": "foo", "slots": 1, "description": 5}, "5 is not of type 'string' (at description)"),
        ],
    )
    def test_a_missing_extra_or_mistyped_key_is_400_naming_it(
        self, client: TestClient, body: dict[str, Any], error: str
    ) -> None:
        assert answer(client.post(POOLS, json=body)) == (400, JSON, {"error": error})
        assert len(client.get(POOLS).json()) == 3

    @pytest.mark.parametrize(
        ("content", "error"),
        [
            (b"", "The request body is empty; send a JSON object"),
            (b"[]", "[] is not of type 'object'"),
        ],
    )
    def test_a_body_that_is_not_a_json_object_is_400(self, client: TestClient, content: bytes, error: str) -> None:
        assert answer(client.post(POOLS, content=content)) == (400, JSON, {"error": error})


class TestDeletePool:
    def test_returns_the_pool_as_it_was(self, client: TestClient, shown: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        assert answer(client.delete(f"{POOLS}/experimental_2")) == (200, JSON, shown(EXPERIMENTAL_2))
        assert client.get(POOLS).json() == [shown(DEFAULT_POOL), shown(EXPERIMENTAL_1)]
        assert client.get(f"{POOLS}/experimental_2").status_code == 404

    def test_an_unknown_pool_is_404(self, client: TestClient) -> None:
        assert answer(client.delete(f"{POOLS}/foo")) == (404, JSON, {"error": "Pool 'foo' doesn't exist"})

    def test_default_pool_cannot_be_deleted(self, client: TestClient, shown: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        response = client.delete(f"{POOLS}/default_pool")
        assert answer(response) == (400, JSON, {"error": "default_pool cannot be deleted"})
        assert client.get(f"{POOLS}/default_pool").json() == shown(DEFAULT_POOL)

    @pytest.mark.parametrize("blank", ["%20", "%20%20"])
    def test_a_blank_name_is_400(self, client: TestClient, blank: str) -> None:
        assert answer(client.delete(f"{POOLS}/{blank}")) == (400, JSON, EMPTY_NAME)

    def test_a_deleted_name_can_be_created_again(self, client: TestClient, shown: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        client.delete(f"{POOLS}/experimental_1")
        response = client.post(POOLS, json={"name": "experimental_1", "slots": 3, "description": None})
        assert answer(response) == (200, JSON, shown({"description": None, "id": 4, "pool": "experimental_1", "slots": 3}))
