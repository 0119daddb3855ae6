"""The OpenAPI 3 document of /api/v1. A test checks that every API route is described here."""

from __future__ import annotations

from typing import Any

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string", "description": "In the caller's language (Accept-Language: fr or en)"},
                "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
            },
        }
    },
}


def _errors(*statuses: int) -> dict[str, Any]:
    return {str(s): {"$ref": "#/components/responses/Error"} for s in statuses}


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Sutura API",
            "version": "1",
            "description": "Case management and referral for GBV and child protection. Every request except "
            "token and this document needs `Authorization: Bearer <token>`. Errors are "
            "`{error: {code, message, fields?}}`.",
        },
        "servers": [{"url": "/api/v1"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": ERROR},
            "responses": {
                "Error": {
                    "description": "Error",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                }
            },
        },
        "security": [{"bearer": []}],
        "paths": {
            "/auth/token": {
                "post": {
                    "summary": "Exchange credentials (and a TOTP code when enrolled) for a bearer token",
                    "security": [],
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {
                        "type": "object", "required": ["username", "password"],
                        "properties": {"username": {"type": "string"}, "password": {"type": "string"},
                                       "otp": {"type": "string", "description": "six-digit TOTP code"}},
                    }}}},
                    "responses": {
                        "200": {"description": "A token", "content": {"application/json": {"schema": {
                            "type": "object", "required": ["token", "expires_at"],
                            "properties": {"token": {"type": "string"}, "token_type": {"type": "string"},
                                           "expires_at": {"type": "string", "format": "date-time"}},
                        }}}},
                        **_errors(400, 401, 403, 413, 415, 422, 429),
                    },
                },
                "delete": {
                    "summary": "Revoke the token used for this request",
                    "responses": {"204": {"description": "Revoked"}, **_errors(401)},
                },
            },
            "/me": {
                "get": {
                    "summary": "The caller's own account",
                    "responses": {"200": {"description": "Account", "content": {"application/json": {"schema": {
                        "type": "object",
                        "properties": {"id": {"type": "string"}, "username": {"type": "string"},
                                       "role": {"type": "string", "enum": ["caseworker", "supervisor", "provider",
                                                                           "cluster_lead", "admin"]},
                                       "agency": {"type": ["string", "null"]},
                                       "language": {"type": ["string", "null"]},
                                       "totp_enabled": {"type": "boolean"}},
                    }}}}, **_errors(401)},
                }
            },
            "/openapi.json": {
                "get": {"summary": "This document", "security": [],
                        "responses": {"200": {"description": "OpenAPI 3 document"}}}
            },
        },
    }
