"""Reading JSON bodies: the wrong type, malformed JSON or a missing field is a clear 4xx."""

from __future__ import annotations

import json
from typing import Any

from flask import request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import UnsupportedMediaType

from ..errors import SuturaError, ValidationFailed


class MalformedJson(SuturaError):
    status, code = 400, "malformed_json"
    message = _l("The body is not valid JSON.")


def json_object() -> dict[str, Any]:
    if not request.is_json:
        raise UnsupportedMediaType()
    try:
        body = json.loads(request.get_data(cache=True) or b"")
    except (ValueError, UnicodeDecodeError):
        raise MalformedJson() from None
    if not isinstance(body, dict):
        raise ValidationFailed(_l("The body must be a JSON object."))
    return body


def text_field(
    body: dict[str, Any], name: str, errors: dict[str, list[str]], *, required: bool = True, max_length: int = 256
) -> str:
    value = body.get(name)
    if value is None or value == "":
        if required:
            errors.setdefault(name, []).append(str(_l("This field is required.")))
        return ""
    if not isinstance(value, str):
        errors.setdefault(name, []).append(str(_l("This field must be text.")))
        return ""
    if len(value) > max_length:
        errors.setdefault(name, []).append(str(_l("At most %(n)d characters.", n=max_length)))
        return ""
    return value
