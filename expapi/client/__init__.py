"""Python clients of the experimental API: one interface, over HTTP or straight to the database.

``get_client(config)`` returns the one ``[cli] api_client`` names. Both return the API's
own JSON bodies (dicts and lists), so a script gets the same answer either way, and both
raise ``ClientError`` carrying the status and the server's ``error`` message.
"""

from __future__ import annotations

from expapi.client.base import Client, ClientError
from expapi.config import Config


def get_client(config: Config, **options) -> Client:
    """The client ``[cli] api_client`` chooses: ``json_client`` (HTTP) or ``local_client`` (database)."""
    if config.cli.api_client == "json_client":
        from expapi.client.json_client import JsonClient

        return JsonClient.from_config(config, **options)
    from expapi.client.local_client import LocalClient

    return LocalClient(config)


__all__ = ["Client", "ClientError", "get_client"]
