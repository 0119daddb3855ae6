"""Reading JSON bodies: the wrong type, malformed JSON or a missing field is a clear 4xx."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import UnsupportedMediaType

from ..errors import SuturaError, ValidationFailed


class MalformedJson(SuturaError):
    status, code = 400, "malformed_json"
    message = _l("The body is not valid JSON.")


# No request of this API nests deeper than a few levels; a deeper body is refused before the
# parser recurses (a deeply nested body would otherwise end in a RecursionError).
MAX_DEPTH = 32
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _too_deep(raw: bytes) -> bool:
    if raw.count(b"[") + raw.count(b"{") <= MAX_DEPTH:
        return False
    depth = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return False


def json_object() -> dict[str, Any]:
    if not request.is_json:
        raise UnsupportedMediaType()
    raw = request.get_data(cache=True) or b""
    if _too_deep(raw):
        raise MalformedJson()
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
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
    if _CONTROL.search(value):  # PostgreSQL refuses NUL in text; nobody types a control character
        errors.setdefault(name, []).append(str(_l("Remove the control characters (such as NUL) from this field.")))
        return ""
    return value
