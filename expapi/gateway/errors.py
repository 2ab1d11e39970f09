"""The typed outcomes of a call to Airflow, each already an API error with its status.

The service translates the ones that carry Airflow's answer (``UpstreamRefused`` and its
kinds) into the experimental API's own messages; an untranslated one still renders as a
502 naming the upstream, never a 500. None of them ever holds a credential.
"""

from __future__ import annotations

from expapi.auth.base import FORBIDDEN
from expapi.errors import ApiError


class UpstreamError(ApiError):
    """Something about the Airflow behind the gateway; ``upstream`` is its masked base URL."""

    status = 502

    def __init__(self, upstream: str, message: str) -> None:
        super().__init__(message)
        self.upstream = upstream


class UpstreamUnavailable(UpstreamError):
    """Airflow could not be reached, did not answer in time, or answered 5xx (503)."""

    status = 503

    def __init__(self, upstream: str, reason: str) -> None:
        super().__init__(upstream, f"Airflow at {upstream} is unavailable: {reason}")
        self.reason = reason


class GatewayCredentialsRejected(UpstreamError):
    """Airflow refused the gateway's own account (401, or 403 for what it asked) (502)."""

    def __init__(self, upstream: str, cause: str) -> None:
        super().__init__(upstream, f"Airflow at {upstream} rejected the gateway's credentials: {cause}")
        self.cause = cause


class CallerRefused(UpstreamError):
    """In passthrough mode, Airflow refused the caller's own credentials or their permission.

    Answered as expapi's password backend answers wrong credentials: 403 ``Forbidden``.
    (Airflow 2.11 itself answers 403, not 401, to a wrong Basic password.)
    """

    status = 403

    def __init__(self, upstream: str, reason: str) -> None:
        ApiError.__init__(self, FORBIDDEN)
        self.upstream = upstream
        self.reason = reason


class UpstreamAnswerError(UpstreamError):
    """Airflow answered something the gateway cannot use: an unexpected status or body (502)."""

    def __init__(self, upstream: str, problem: str) -> None:
        super().__init__(upstream, f"Airflow at {upstream} gave an unexpected answer: {problem}")
        self.problem = problem


class UpstreamRefused(UpstreamError):
    """A 4xx answer about the request itself, with Airflow's own words (``detail``).

    ``call`` names the request (``GET /api/v2/dags/x``); ``status_code`` is Airflow's status.
    """

    def __init__(self, upstream: str, call: str, status_code: int, detail: str) -> None:
        super().__init__(upstream, f"Airflow at {upstream} answered {status_code} to {call}: {detail}")
        self.call = call
        self.status_code = status_code
        self.detail = detail


class UpstreamNotFound(UpstreamRefused):
    """404: the DAG, run, task, task instance, pool or source named does not exist."""


class UpstreamConflict(UpstreamRefused):
    """409: a run or pool with that key exists already (Airflow 3 does not say which key)."""


class UpstreamBadRequest(UpstreamRefused):
    """400 or 422: Airflow refused the request's parameters or body."""


REFUSALS: dict[int, type[UpstreamRefused]] = {
    400: UpstreamBadRequest,
    404: UpstreamNotFound,
    409: UpstreamConflict,
    422: UpstreamBadRequest,
}
