"""The client that speaks HTTP to a running server, ``[cli] endpoint_url``."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from expapi.client.base import JSON, Client, ClientError
from expapi.config import Config

API_PATH = "/api/experimental"
DEFAULT_TIMEOUT = 30.0


class JsonClient(Client):
    """Calls the API over HTTP; a path in ``endpoint_url`` is kept as a prefix (unlike Airflow's client)."""

    def __init__(self, endpoint_url: str, *, auth: httpx.Auth | tuple[str, str] | None = None,
                 timeout: float = DEFAULT_TIMEOUT, transport: httpx.BaseTransport | None = None) -> None:
        self.endpoint_url = endpoint_url.rstrip("/")
        self.http = httpx.Client(
            base_url=self.endpoint_url + API_PATH, auth=auth, timeout=timeout, transport=transport
        )

    @classmethod
    def from_config(cls, config: Config, **options: Any) -> JsonClient:
        """A client for ``[cli] endpoint_url`` with the credentials the configuration gives."""
        from expapi.client.credentials import client_auth

        options.setdefault("auth", client_auth(config))
        return cls(config.cli.endpoint_url, **options)

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ClientError(None, f"cannot reach the API at {self.endpoint_url}: {exc}") from None
        if response.is_success:
            return response
        raise ClientError(response.status_code, _error_message(response))

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._request(method, path, **kwargs)
        try:
            return response.json()
        except ValueError:
            raise ClientError(response.status_code, f"the server at {self.endpoint_url} did not answer JSON") from None

    def trigger_dag_run(self, dag_id, run_id=None, conf=None, execution_date=None, replace_microseconds=None) -> JSON:
        # Only the fields given are sent, so the server's defaults apply to the rest.
        body = {
            key: value
            for key, value in (
                ("run_id", run_id),
                ("conf", conf),
                ("execution_date", execution_date),
                ("replace_microseconds", replace_microseconds),
            )
            if value is not None
        }
        return self._json("POST", f"/dags/{_segment(dag_id)}/dag_runs", json=body)

    def delete_dag(self, dag_id: str) -> JSON:
        return self._json("DELETE", f"/dags/{_segment(dag_id)}")

    def list_dag_runs(self, dag_id: str, state: str | None = None) -> list[JSON]:
        params = {"state": state} if state else None
        return self._json("GET", f"/dags/{_segment(dag_id)}/dag_runs", params=params)

    def get_dag_run_state(self, dag_id: str, execution_date: str) -> JSON:
        return self._json("GET", f"/dags/{_segment(dag_id)}/dag_runs/{_segment(execution_date)}")

    def get_task(self, dag_id: str, task_id: str) -> dict[str, str]:
        return self._json("GET", f"/dags/{_segment(dag_id)}/tasks/{_segment(task_id)}")

    def get_task_instance(self, dag_id: str, execution_date: str, task_id: str) -> dict[str, str]:
        path = f"/dags/{_segment(dag_id)}/dag_runs/{_segment(execution_date)}/tasks/{_segment(task_id)}"
        return self._json("GET", path)

    def get_dag_paused(self, dag_id: str) -> JSON:
        return self._json("GET", f"/dags/{_segment(dag_id)}/paused")

    def set_dag_paused(self, dag_id: str, paused: bool) -> JSON:
        return self._json("GET", f"/dags/{_segment(dag_id)}/paused/{'true' if paused else 'false'}")

    def get_dag_code(self, dag_id: str) -> str:
        return self._request("GET", f"/dags/{_segment(dag_id)}/code").text

    def get_latest_runs(self) -> JSON:
        return self._json("GET", "/latest_runs")

    def get_lineage(self, dag_id: str, execution_date: str) -> JSON:
        return self._json("GET", f"/lineage/{_segment(dag_id)}/{_segment(execution_date)}")

    def list_pools(self) -> list[JSON]:
        return self._json("GET", "/pools")

    def get_pool(self, name: str) -> JSON:
        return self._json("GET", f"/pools/{_segment(name)}")

    def create_pool(self, name: str, slots: int | str, description: str | None) -> JSON:
        return self._json("POST", "/pools", json={"name": name, "slots": slots, "description": description})

    def delete_pool(self, name: str) -> JSON:
        return self._json("DELETE", f"/pools/{_segment(name)}")

    def test(self) -> JSON:
        return self._json("GET", "/test")

    def get_info(self) -> JSON:
        return self._json("GET", "/info")

    def close(self) -> None:
        self.http.close()


def _segment(value: str) -> str:
    # Every character encoded, so a '+' in a date stays a '+' (Airflow's client lost it).
    return quote(str(value), safe="")


def _error_message(response: httpx.Response) -> str:
    try:
        message = response.json().get("error")
    except (ValueError, AttributeError):
        message = None
    if isinstance(message, str) and message:
        return message
    text = response.text.strip()
    return f"{response.status_code} {response.reason_phrase}" + (f": {text[:200]}" if text else "")
