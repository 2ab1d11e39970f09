"""The errors the API answers with, one class per HTTP status.

Handlers and the data layer raise these; ``expapi.error_responses`` is the one place
that turns them (and every other failure) into ``{"error": "<message>"}``.
"""

from __future__ import annotations


class ApiError(Exception):
    """An error a client sees, with its HTTP status and message."""

    status = 500

    def __init__(self, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}


class BadRequest(ApiError):
    status = 400


class Unauthorized(ApiError):
    status = 401


class Forbidden(ApiError):
    status = 403


class NotFound(ApiError):
    status = 404


class Conflict(ApiError):
    status = 409


class TooManyRequests(ApiError):
    status = 429


class RequestTimeout(ApiError):
    status = 408


class PayloadTooLarge(ApiError):
    status = 413


class HeadersTooLarge(ApiError):
    status = 431


class NotImplementedHere(ApiError):
    """What this deployment cannot answer at all (gateway mode: what the stable API does not keep)."""

    status = 501


class ServiceUnavailable(ApiError):
    status = 503


class InternalServerError(ApiError):
    status = 500
