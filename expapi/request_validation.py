"""connexion's request validators, reporting which field a request got wrong.

The spec's schemas are as precise as the server (a date pattern, integer slots, 1–256
character pool names), so connexion refuses bad values before any handler runs. Airflow
worded some of those refusals its own way (``Given execution date, …``, ``Bad value for
`slots`: …``), and clients match on the words: these validators raise ``RejectedField``
with the field and the value sent, and the error renderer answers in the flavour's words
(``Messages.for_rejected_field``), or with jsonschema's own sentence where Airflow had none.
"""

from __future__ import annotations

import logging
from typing import Any

from connexion.datastructures import MediaTypeDict
from connexion.exceptions import BadRequestProblem
from connexion.json_schema import format_error_with_path
from connexion.utils import is_null, is_nullable
from connexion.validators import VALIDATOR_MAP, JSONRequestBodyValidator, ParameterValidator
from jsonschema import Draft4Validator, ValidationError

log = logging.getLogger(__name__)


class RejectedField(BadRequestProblem):
    """A request value the spec's schema refuses: which field, what was sent, and jsonschema's words."""

    def __init__(self, field: str | None, value: Any, detail: str) -> None:
        super().__init__(detail=detail)
        self.field = field
        self.value = value


class FieldParameterValidator(ParameterValidator):
    """Path parameters: a refused value names its parameter. Each parameter's schema validator is made once.

    connexion copies the parameter and builds a jsonschema validator for it on every request
    (GET of a task instance: three per request, a tenth of its time); a validator does not
    change its schema, so one per parameter serves every request.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._schema_validators: dict[int, Draft4Validator] = {}

    def validate_parameter(self, parameter_type: str, value: Any, param: dict, param_name: str | None = None) -> str | None:
        if is_nullable(param) and is_null(value):
            return None
        if value is None:
            return f"Missing {parameter_type} parameter '{param['name']}'" if param.get("required") else None
        validator = self._schema_validators.get(id(param))
        if validator is None:
            validator = Draft4Validator(param.get("schema", param), format_checker=Draft4Validator.FORMAT_CHECKER)
            self._schema_validators[id(param)] = validator
        try:
            validator.validate(value)
        except ValidationError as exception:
            return str(exception)
        return None

    def validate_path_parameter(self, param: dict, request: Any) -> str | None:
        error = super().validate_path_parameter(param, request)
        if error:
            name = param["name"]
            raise RejectedField(name, request.path_params.get(name.replace("-", "_")), error)
        return None


class FieldJSONBodyValidator(JSONRequestBodyValidator):
    """JSON bodies: a refused value names its top-level key."""

    def _validate(self, body: Any) -> dict | None:
        if not self._nullable and body is None:
            raise BadRequestProblem("Request body must not be empty")
        try:
            return self._validator.validate(body)
        except ValidationError as exception:
            field = str(exception.path[0]) if exception.path else None
            value = body.get(field) if field is not None and isinstance(body, dict) else None
            detail = f"{exception.message}{format_error_with_path(exception=exception)}"
            log.info("request body refused: %s", detail)  # cut to a bounded length by expapi.logs
            raise RejectedField(field, value, detail) from None


VALIDATORS = {
    **VALIDATOR_MAP,
    "parameter": FieldParameterValidator,
    "body": MediaTypeDict({**VALIDATOR_MAP["body"], "*/*json": FieldJSONBodyValidator}),
}
