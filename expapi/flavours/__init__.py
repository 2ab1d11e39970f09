"""Every way one Airflow line's experimental API differs from another's, as data.

``[api] compat`` picks one ``Flavour``; nothing else in expapi asks which Airflow line it
follows. A line is one module of data here (``airflow_1_10``, ``airflow_2``) and a folder of example DAGs
(``expapi/example_dags/<Flavour.examples>``); ``presenters`` builds every JSON body from a
flavour's key sets and hooks. Adding a line means adding its module and registering it below.
"""

from __future__ import annotations

from expapi.flavours.airflow_1_10 import AIRFLOW_1_10
from expapi.flavours.airflow_2 import AIRFLOW_2
from expapi.flavours.flavour import Flavour
from expapi.flavours.messages import Messages

FLAVOURS: dict[str, Flavour] = {flavour.name: flavour for flavour in (AIRFLOW_1_10, AIRFLOW_2)}


def compat_names() -> dict[str, str]:
    """Every value ``[api] compat`` accepts, mapped to the name of the flavour it chooses."""
    return {alias: flavour.name for flavour in FLAVOURS.values() for alias in (flavour.name, *flavour.aliases)}


__all__ = ["AIRFLOW_1_10", "AIRFLOW_2", "FLAVOURS", "Flavour", "Messages", "compat_names"]
