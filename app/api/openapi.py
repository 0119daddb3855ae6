"""The OpenAPI 3 document of /api/v1. A test checks that every API route is described here."""

from __future__ import annotations

from typing import Any

from cpims import options as cp_options
from gbvims import options
from gbvims.care import CARE_HOURS, CARE_STATES
from gbvims.classification import ANSWER_KEYS, GBV_TYPES
from models import ROLES
from referral.packet import SERVICE_TYPES
from referral.sla import URGENCIES
from referral.states import DECLINE_REASONS, ON_BEHALF_EVENTS

from ..cases.service import CASE_CODE_QUERY
from ..cp.profile import CLOCKS
from .cp import openapi_paths as cp_paths

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


# Only a case code travels in a URL (GET /cases?q=); names and phones go in a request body.
CASE_CODE_PATTERN = CASE_CODE_QUERY.pattern

CASE_SUMMARY = {
    "type": "object",
    "properties": {
        k: {"type": ["string", "null"]}
        for k in (
            "id",
            "case_code",
            "kind",
            "status",
            "stage",
            "risk_level",
            "location",
            "region",
            "created_at",
            "survivor_name",
        )
    },
}

# A page of case summaries: GET /cases and POST /cases/search.
CASE_LIST = {
    "type": "object",
    "properties": {
        "items": {"type": "array", "items": CASE_SUMMARY},
        "total": {"type": "integer"},
        "total_exact": {
            "type": "boolean",
            "description": "false: a search checked only the candidates its page needed and total is a lower "
            "bound, always larger than the matches up to this page (a next page exists)",
        },
        "page": {"type": "integer"},
    },
}


def _enum(options: Any, *, nullable: bool = True) -> dict[str, Any]:
    codes = list(options)
    return {"type": ["string", "null"], "enum": [*codes, None]} if nullable else {"type": "string", "enum": codes}


COUNTRY = {"type": ["string", "null"], "description": 'ISO 3166-1 alpha-2 code, or "unknown"'}
ANSWER = {
    "type": ["string", "boolean", "null"],
    "description": "yes, no or unknown (true/false accepted); null or absent: not recorded",
}
SURVIVOR = {
    "type": "object",
    "description": "identifying values are encrypted at rest; coded values left empty are 'not recorded'",
    "properties": {
        **{
            k: {"type": ["string", "null"]}
            for k in (
                "given_name",
                "family_name",
                "nickname",
                "phone",
                "address",
                "caregiver_name",
                "caregiver_phone",
                "notes",
                "ethnicity",
                "religion",
            )
        },
        "dependants_ages": {"type": ["string", "null"], "description": 'ages separated by commas, e.g. "2, 5, 9"'},
        "date_of_birth": {"type": ["string", "null"], "format": "date"},
        "age": {"type": ["integer", "null"]},
        "age_estimated": {"type": "boolean"},
        "sex": _enum(options.SEX, nullable=False),
        "marital_status": _enum(options.MARITAL_STATUS),
        "displacement_status": _enum(options.DISPLACEMENT_STATUS),
        "disability": _enum(options.DISABILITY),
        "unaccompanied": _enum(options.UNACCOMPANIED),
        "occupation": {"type": ["string", "null"], "description": "an occupation code (the country adds its own)"},
        "nationality": COUNTRY,
        "country_of_origin": COUNTRY,
        "dependants_count": {"type": ["integer", "null"], "minimum": 0},
        "lives_alone": _enum(options.YES_NO_UNKNOWN),
        "caretaker_relation": _enum(options.CARETAKER_RELATION),
        "caretaker_marital_status": _enum(options.MARITAL_STATUS),
        "caretaker_occupation": {"type": ["string", "null"]},
    },
}
GRAVE_VIOLATION = {
    "type": "object",
    "required": ["violation", "date", "perpetrator"],
    "properties": {
        "id": {"type": "string", "readOnly": True},
        "violation": _enum(cp_options.GRAVE_VIOLATIONS, nullable=False),
        "date": {"type": "string", "format": "date"},
        "perpetrator": _enum(cp_options.MRM_PERPETRATORS, nullable=False),
    },
}
CHILD_PROTECTION = {
    "type": "object",
    "description": "A CP case's own registration and clocks (null for a GBV case)",
    "properties": {
        "protection_concerns": {"type": "array", "items": _enum(cp_options.PROTECTION_CONCERNS, nullable=False)},
        "urgent": {"type": "boolean"},
        "no_caregiver_reason": _enum(cp_options.NO_CAREGIVER_REASONS),
        "first_action_due": {"type": ["string", "null"], "format": "date-time"},
        "first_action_at": {"type": ["string", "null"], "format": "date-time"},
        "next_review": {"type": ["string", "null"], "format": "date"},
        "turns_18_on": {"type": ["string", "null"], "format": "date"},
        "grave_violations": {"type": "array", "items": GRAVE_VIOLATION},
        "clocks": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "clock": _enum(CLOCKS, nullable=False),
                    "due": {"type": "string"},
                    "overdue": {"type": "boolean"},
                    "hours_left": {"type": ["integer", "null"]},
                },
            },
        },
    },
}
NEW_CASE = {
    "type": "object",
    "required": ["kind", "location", "survivor", "consent"],
    "description": "A child protection case (kind cp) also requires protection_concerns and risk_level, and "
    "no_caregiver_reason when survivor.caregiver_name is empty; a GBV case given these fields is refused (422)",
    "properties": {
        "kind": _enum(options.CASE_KIND, nullable=False),
        "protection_concerns": {"type": "array", "items": _enum(cp_options.PROTECTION_CONCERNS, nullable=False)},
        "risk_level": _enum(options.RISK_LEVEL),
        "urgent": {"type": "boolean"},
        "no_caregiver_reason": _enum(cp_options.NO_CAREGIVER_REASONS),
        "grave_violations": {"type": "array", "items": GRAVE_VIOLATION},
        "location": {"type": "string", "description": "a location code (e.g. ML-7)"},
        "survivor": {**SURVIVOR, "required": ["sex"]},
        "consent": {
            "type": "object",
            "required": ["services", "reporting", "given_by"],
            "properties": {
                "services": {"type": "boolean"},
                "reporting": {"type": "boolean"},
                "release": {
                    "type": "object",
                    "additionalProperties": {"type": "boolean"},
                    "description": ", ".join(options.RELEASE_AREAS),
                },
                "given_by": _enum(options.CONSENT_GIVEN_BY, nullable=False),
                "assent": _enum(options.ASSENT, nullable=False),
                "caregiver_consent": {
                    "type": ["boolean", "null"],
                    "description": "15–17 only: the caregiver's consent as well (true/false when asked; null or "
                    "absent: not asked). An addition to the adolescent's own consent (given_by survivor), "
                    "never instead; refused (422) for other ages",
                },
            },
        },
    },
}
CASE_PATCH = {
    "type": "object",
    "description": "Only the fields to correct; validated as at registration. Consent is not edited here.",
    "additionalProperties": False,
    "properties": {
        "location": {"type": "string"},
        "risk_level": _enum(options.RISK_LEVEL),
        "survivor": SURVIVOR,
    },
}
PERPETRATOR = {
    "type": "object",
    "required": ["sex", "age_group", "relationship"],
    "properties": {
        "primary": {"type": "boolean", "description": "exactly one row is primary (a single row is)"},
        "sex": _enum(options.PERPETRATOR_SEX, nullable=False),
        "age_group": _enum(options.AGE_GROUP, nullable=False),
        "relationship": _enum(options.RELATIONSHIP, nullable=False),
        "occupation": {"type": ["string", "null"], "description": "an occupation code (the country adds its own)"},
        "nationality": COUNTRY,
        "ethnicity": {"type": ["string", "null"], "description": "encrypted at rest"},
        "past_gbv": _enum(options.YES_NO_UNKNOWN),
    },
}
INCIDENT_FIELDS = {
    "date_of_incident": {"type": "string", "format": "date"},
    "date_of_interview": {"type": "string", "format": "date"},
    "time_of_incident": {
        "type": ["string", "null"],
        "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$",
        "description": "HH:MM, local time of the deployment, when known",
    },
    "time_of_day": {**_enum(options.TIME_OF_DAY), "description": "required unless time_of_incident is given"},
    "classification": {
        "type": "object",
        "description": "the GBVIMS tool's questions, in order; answers after the first true may be omitted",
        "properties": {k: {"type": "boolean"} for k in ANSWER_KEYS},
    },
    "perpetrators": {"type": "array", "maxItems": 20, "items": PERPETRATOR},
    "perpetrator_count": {
        "type": ["string", "integer"],
        "enum": [1, 2, 3, *options.PERPETRATOR_COUNT],
        "description": "the IRF's own answer; never smaller than the rows described",
    },
    "place_type": {"type": "string", "description": "a place code (the country adds its own)"},
    "location": {"type": ["string", "null"]},
    "stage_of_displacement": _enum(options.STAGE_OF_DISPLACEMENT),
    "harmful_traditional_practice": _enum(options.HARMFUL_TRADITIONAL_PRACTICE),
    "abduction": _enum(options.ABDUCTION),
    "reported_elsewhere": _enum(options.REPORTED_ELSEWHERE, nullable=False),
    "reported_elsewhere_to": _enum(options.REFERRED_BY),
    "referred_by": _enum(options.REFERRED_BY),
    "wants_legal_action": _enum(options.LEGAL_ACTION),
    "money_or_goods_exchanged": ANSWER,
    "previous_gbv": ANSWER,
    "mandatory_report_made": {"type": ["boolean", "null"]},
    "survivor_informed_of_report": {"type": ["boolean", "null"]},
    "pathway": {
        "type": "object",
        "description": "one status per service; absent or null: not recorded",
        "properties": {k: _enum(options.PATHWAY_STATUS) for k in options.PATHWAY_SERVICES},
        "additionalProperties": False,
    },
    "account": {"type": ["string", "null"], "description": "encrypted at rest"},
    "non_gbv_description": {"type": ["string", "null"], "description": "encrypted; kept for non-GBV incidents"},
}
NEW_INCIDENT = {
    "type": "object",
    "required": [
        "date_of_incident",
        "date_of_interview",
        "classification",
        "place_type",
        "reported_elsewhere",
        "perpetrator_count",
    ],
    "properties": INCIDENT_FIELDS,
}
INCIDENT_PATCH = {
    "type": "object",
    "description": "Only the fields to correct; the classification is re-run on the answers.",
    "additionalProperties": False,
    "properties": INCIDENT_FIELDS,
}
INCIDENT = {
    "type": "object",
    "properties": {
        **INCIDENT_FIELDS,
        "id": {"type": "string"},
        "gbv_type": _enum(GBV_TYPES, nullable=False),
        "context_flags": {"type": "array", "items": {"type": "string"}},
        "perpetrator_sex": _enum(options.INCIDENT_PERPETRATOR_SEX),
        "age_at_incident": {"type": ["integer", "null"]},
    },
}
CARE_WINDOW = {
    "type": "object",
    "properties": {
        "incident": {"type": "string"},
        "care": _enum(CARE_HOURS, nullable=False),
        "earliest_close": {"type": "string", "format": "date-time"},
        "closes_at": {"type": "string", "format": "date-time", "description": "the latest possible close"},
        "state": _enum(CARE_STATES, nullable=False),
        "hours_left": {"type": "number"},
        "time_known": {"type": "boolean"},
    },
}
CASE_NOTE = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "date": {"type": "string", "format": "date"},
        "text": {"type": "string", "description": "encrypted at rest"},
        "created_by": {"type": ["string", "null"]},
        "created_at": {"type": "string", "format": "date-time"},
    },
}
NEW_CASE_NOTE = {
    "type": "object",
    "required": ["text"],
    "properties": {
        "date": {
            "type": ["string", "null"],
            "format": "date",
            "description": "the day it is about (not in the future); today when absent",
        },
        "text": {"type": "string", "maxLength": 4000},
    },
}
CASE_DETAIL = {
    "type": "object",
    "properties": {
        **CASE_SUMMARY["properties"],  # type: ignore[dict-item]
        "survivor": SURVIVOR,
        "consent": {"type": ["object", "null"]},
        "incidents": {"type": "array", "items": INCIDENT},
        "care_windows": {"type": "array", "items": CARE_WINDOW},
        "child_protection": {"anyOf": [CHILD_PROTECTION, {"type": "null"}]},
        "notes": {"type": "array", "items": CASE_NOTE, "description": "dated case notes, the latest first"},
    },
}


PROVIDER = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "code": {"type": "string"},
        "name": {"type": "string"},
        "agency": {"type": "string"},
        "service_types": {"type": "array", "items": {"type": "string"}},
        "locations": {"type": "array", "items": {"type": "string"}},
        "serves_children": {"type": "boolean"},
        "clinical_management_of_rape": {"type": "boolean"},
        "pep_kits_in_stock": {"type": "boolean"},
    },
}
NEW_REFERRAL = {
    "type": "object",
    "required": ["service_type", "provider_id"],
    "properties": {
        "service_type": _enum(SERVICE_TYPES, nullable=False),
        "provider_id": {"type": "string"},
        "share": {"type": "array", "items": {"type": "string"}},
        "urgency": _enum(URGENCIES, nullable=False),
        "note": {"type": "string"},
        "request_key": {"type": "string", "description": "any random string; makes a retry safe"},
    },
}
REFERRAL = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "state": {"type": "string"},
        "due_at": {"type": "string", "format": "date-time"},
        "shared_fields": {"type": "array", "items": {"type": "string"}},
        "feedback": {"type": ["string", "null"]},
        "reference": {"type": "string", "description": "short reference shown to the service (not the case code)"},
        "answered_on_behalf": {"type": "boolean", "description": "answers recorded by the caseworker"},
    },
}
PROVIDER_REFERRAL = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "state": {"type": "string"},
        "service_type": {"type": "string"},
        "urgency": {"type": "string"},
        "due_at": {"type": "string"},
        "packet": {"type": "object"},
        "note": {"type": ["string", "null"]},
        "reference": {"type": "string"},
        "referred_by": {
            "type": "object",
            "properties": {k: {"type": ["string", "null"]} for k in ("agency", "name", "work_phone")},
        },
    },
}


PERIOD_PARAMETERS = [
    {
        "name": "period",
        "in": "query",
        "schema": {"type": "string"},
        "description": "a calendar year, quarter or month: 2026, 2026-Q3 or 2026-11 (free start and end months "
        "are refused: two ranges subtract to a small one)",
    },
    {"name": "region", "in": "query", "schema": {"type": "string"}, "description": "a region code (ML-7)"},
]
# A published table: a suppressed count (1 to k−1, or one that would give such a count away) is null.
_COUNTS = {"type": ["array", "null"], "items": {"type": ["integer", "null"]}}
STATS_TABLE = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "title": {"type": "string"},
        "unit": {
            "type": "string",
            "description": "what a number counts: incidents, records, children, referrals, reunifications, violations",
        },
        "rows": {"type": "array", "items": {"type": "string"}},
        "columns": {"type": "array", "items": {"type": "string"}},
        "cells": {"type": "array", "items": {"type": "array", "items": {"type": ["integer", "null"]}}},
        "row_totals": _COUNTS,
        "column_totals": _COUNTS,
        "total": {"type": ["integer", "null"]},
    },
}


def _stats_report(counted: str, **more: Any) -> dict[str, Any]:
    """A statistics report; ``counted``: the name of what it counts (incidents, cases, violations)."""
    return {
        "type": "object",
        "properties": {
            "period": {"type": "object", "properties": {k: {"type": "string"} for k in ("start", "end", "label")}},
            "region": {"type": ["string", "null"]},
            "min_published_count": {"type": "integer"},
            counted: {"type": ["integer", "null"]},
            "agencies": {"type": "integer"},
            "tables": {"type": "array", "items": STATS_TABLE},
            **more,
        },
    }


SERVICE_GAPS = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "service": {"type": "string"},
            "needed": {"type": ["integer", "null"]},
            "unavailable": {"type": ["integer", "null"]},
            "share": {"type": ["number", "null"]},
        },
    },
}


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


# Answers any operation may give besides its own: malformed input (a control character in the
# query, JSON too deep), a body too large or of the wrong type, the database briefly away.
ANY_OPERATION = (400, 503)
WITH_BODY = (413, 415)


def _every_operation_documents_common_errors(doc: dict[str, Any]) -> dict[str, Any]:
    for item in doc["paths"].values():
        for operation in item.values():
            statuses = [*ANY_OPERATION, *(WITH_BODY if "requestBody" in operation else ())]
            if operation.get("security", doc["security"]):
                statuses.append(401)
            for status in statuses:
                operation["responses"].setdefault(str(status), {"$ref": "#/components/responses/Error"})
    return doc


def document() -> dict[str, Any]:
    return _every_operation_documents_common_errors(_document())


def _document() -> dict[str, Any]:
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
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["username", "password"],
                                    "properties": {
                                        "username": {"type": "string"},
                                        "password": {"type": "string"},
                                        "otp": {"type": "string", "description": "six-digit TOTP code"},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "A token",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["token", "expires_at"],
                                        "properties": {
                                            "token": {"type": "string"},
                                            "token_type": {"type": "string"},
                                            "expires_at": {"type": "string", "format": "date-time"},
                                        },
                                    }
                                }
                            },
                        },
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
                    "responses": {
                        "200": {
                            "description": "Account",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "id": {"type": "string"},
                                            "username": {"type": "string"},
                                            "role": _enum(ROLES, nullable=False),
                                            "agency": {"type": ["string", "null"]},
                                            "language": {"type": ["string", "null"]},
                                            "totp_enabled": {"type": "boolean"},
                                        },
                                    }
                                }
                            },
                        },
                        **_errors(401),
                    },
                }
            },
            "/cases": {
                "get": {
                    "summary": "Cases in the caller's scope (caseworker: own and assigned; supervisor: agency); "
                    "`q` takes a case code only — names and phones go to POST /cases/search",
                    "parameters": [
                        {"name": "q", "in": "query", "schema": {"type": "string", "pattern": CASE_CODE_PATTERN}},
                        *(
                            {"name": n, "in": "query", "schema": {"type": "string"}}
                            for n in ("status", "risk", "region", "kind", "overdue", "page")
                        ),
                    ],
                    "responses": {
                        "200": _json(CASE_LIST),
                        **_errors(401, 403, 422),
                    },
                },
                "post": {
                    "summary": "Register a survivor with consent (caseworker, supervisor)",
                    "requestBody": {"required": True, "content": {"application/json": {"schema": NEW_CASE}}},
                    "responses": {"201": _json(CASE_SUMMARY, "Created"), **_errors(400, 401, 403, 413, 415, 422)},
                },
            },
            "/cases/search": {
                "post": {
                    "summary": "Search the caller's cases by case code, name or phone — in the body, never in a URL "
                    "(names would be written in access logs and browser histories)",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["q"],
                                    "properties": {
                                        "q": {"type": "string", "maxLength": 100},
                                        **{n: {"type": "string"} for n in ("status", "risk", "region", "kind")},
                                        "overdue": {"type": "boolean"},
                                        "page": {"type": "integer", "minimum": 1, "maximum": 10000},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": _json(CASE_LIST),
                        **_errors(400, 401, 403, 415, 422),
                    },
                },
            },
            "/cases/{case_id}": {
                "get": {
                    "summary": "A case in the caller's scope, decrypted (the read is audited)",
                    "parameters": [{"name": "case_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {"200": _json(CASE_DETAIL), **_errors(401, 403, 404)},
                },
                "patch": {
                    "summary": "Correct the survivor's record, the case's location or risk level "
                    "(validated like registration, audited by field name, shown in the case's history)",
                    "parameters": [{"name": "case_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "requestBody": {"required": True, "content": {"application/json": {"schema": CASE_PATCH}}},
                    "responses": {"200": _json(CASE_DETAIL), **_errors(400, 401, 403, 404, 409, 415, 422)},
                },
            },
            "/cases/{case_id}/grave-violations": {
                "post": {
                    "summary": "Record grave violations (MRM) a child protection case documents",
                    "parameters": [{"name": "case_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["grave_violations"],
                                    "properties": {
                                        "grave_violations": {"type": "array", "minItems": 1, "items": GRAVE_VIOLATION}
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "201": _json(CHILD_PROTECTION, "Recorded"),
                        **_errors(400, 401, 403, 404, 409, 415, 422),
                    },
                }
            },
            "/cases/{case_id}/links": {
                "post": {
                    "summary": "Link a child's GBV case and CP case (both open to the caller; an unknown code "
                    "and a code out of scope are refused alike, 422)",
                    "parameters": [{"name": "case_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["case_code"],
                                    "properties": {"case_code": {"type": "string", "maxLength": 24}},
                                }
                            }
                        },
                    },
                    "responses": {
                        "201": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "case": {"type": "string"},
                                    "linked": {"type": "string"},
                                    "linked_case_code": {"type": "string"},
                                },
                            },
                            "Linked",
                        ),
                        **_errors(400, 401, 403, 404, 409, 415, 422),
                    },
                }
            },
            "/cases/{case_id}/consent": {
                "post": {
                    "summary": "Record the survivor's new consent: a new version (earlier ones are kept); open "
                    "referrals to service areas no longer consented to are withdrawn",
                    "parameters": [{"name": "case_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": NEW_CASE["properties"]["consent"]}},  # type: ignore[index]
                    },
                    "responses": {"201": _json(CASE_DETAIL, "Recorded"), **_errors(400, 401, 403, 404, 409, 415, 422)},
                }
            },
            "/cases/{case_id}/notes": {
                "post": {
                    "summary": "Add a dated case note (an open case with consent to services; the audit entry "
                    "keeps no text)",
                    "parameters": [{"name": "case_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "requestBody": {"required": True, "content": {"application/json": {"schema": NEW_CASE_NOTE}}},
                    "responses": {"201": _json(CASE_NOTE, "Added"), **_errors(400, 401, 403, 404, 409, 415, 422)},
                }
            },
            "/cases/{case_id}/incidents/{incident_id}": {
                "patch": {
                    "summary": "Correct an incident; the classification tool is re-run on its answers",
                    "parameters": [
                        {"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
                        for n in ("case_id", "incident_id")
                    ],
                    "requestBody": {"required": True, "content": {"application/json": {"schema": INCIDENT_PATCH}}},
                    "responses": {"200": _json(INCIDENT), **_errors(400, 401, 403, 404, 409, 415, 422)},
                }
            },
            "/cases/{case_id}/incidents": {
                "post": {
                    "summary": "Record an incident; the GBV type is the classification tool's answer",
                    "parameters": [{"name": "case_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "requestBody": {"required": True, "content": {"application/json": {"schema": NEW_INCIDENT}}},
                    "responses": {"201": _json(INCIDENT, "Created"), **_errors(400, 401, 403, 404, 409, 415, 422)},
                }
            },
            "/services": {
                "get": {
                    "summary": "The service directory (any signed-in role), by region and service type",
                    "parameters": [
                        {"name": n, "in": "query", "schema": {"type": "string"}}
                        for n in ("region", "service_type", "page")
                    ],
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "items": {"type": "array", "items": PROVIDER},
                                    "total": {"type": "integer"},
                                },
                            }
                        ),
                        **_errors(401),
                    },
                }
            },
            "/cases/{case_id}/referrals": {
                "post": {
                    "summary": "Refer the survivor; the packet holds only shared fields the survivor consented to "
                    "release to this service area. Sending the same request_key again returns the "
                    "first referral (200) instead of a duplicate",
                    "parameters": [{"name": "case_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "requestBody": {"required": True, "content": {"application/json": {"schema": NEW_REFERRAL}}},
                    "responses": {
                        "201": _json(REFERRAL, "Sent"),
                        "200": _json(REFERRAL, "Already sent"),
                        **_errors(400, 401, 403, 404, 409, 415, 422),
                    },
                }
            },
            "/cases/{case_id}/referrals/{referral_id}/on-behalf": {
                "post": {
                    "summary": "Record the answer of a service without a Sutura account on its behalf (caseworker of "
                    "the case); refused (409) for a service whose focal point answers in Sutura",
                    "parameters": [
                        {"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
                        for n in ("case_id", "referral_id")
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["event", "date"],
                                    "properties": {
                                        "event": {"type": "string", "description": ", ".join(ON_BEHALF_EVENTS)},
                                        "date": {"type": "string", "format": "date", "description": "when it happened"},
                                        "reason": {"type": "string"},
                                        "feedback": {"type": "string"},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {"200": _json(REFERRAL), **_errors(400, 401, 403, 404, 409, 415, 422)},
                }
            },
            "/referrals": {
                "get": {
                    "summary": "Referrals addressed to the caller's service (provider): packet fields only",
                    "responses": {
                        "200": _json(
                            {"type": "object", "properties": {"items": {"type": "array", "items": PROVIDER_REFERRAL}}}
                        ),
                        **_errors(401, 403),
                    },
                }
            },
            **{
                f"/referrals/{{referral_id}}/{event}": {
                    "post": {
                        "summary": summary,
                        "parameters": [
                            {"name": "referral_id", "in": "path", "required": True, "schema": {"type": "string"}}
                        ],
                        "requestBody": {
                            "required": False,
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "reason": {"type": "string"},
                                            "feedback": {"type": "string"},
                                            "delivered": {
                                                "type": "boolean",
                                                "description": "deliver only: false = not delivered",
                                            },
                                        },
                                    }
                                }
                            },
                        },
                        "responses": {"200": _json(PROVIDER_REFERRAL), **_errors(401, 403, 404, 409, 422)},
                    }
                }
                for event, summary in (
                    ("accept", "Accept the referral"),
                    ("decline", f"Decline, with a reason ({', '.join(DECLINE_REASONS)})"),
                    ("deliver", "Report the service delivered (or not, with a reason)"),
                )
            },
            "/stats/gbvims": {
                "get": {
                    "summary": "Anonymized GBVIMS tables (cluster lead: all ISP agencies; supervisor: own agency). "
                    "Suppressed counts are null",
                    "parameters": PERIOD_PARAMETERS,
                    "responses": {
                        "200": _json(_stats_report("incidents", service_gaps=SERVICE_GAPS)),
                        **_errors(401, 403, 422),
                    },
                }
            },
            **{
                f"/exports/gbvims.{fmt}": {
                    "get": {
                        "summary": f"The same tables as a {fmt.upper()} file with HXL hashtags (cluster lead)",
                        "parameters": PERIOD_PARAMETERS,
                        "responses": {"200": {"description": "file", "content": {mime: {}}}, **_errors(401, 403, 422)},
                    }
                }
                for fmt, mime in (
                    ("csv", "text/csv"),
                    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                )
            },
            "/stats/cp": {
                "get": {
                    "summary": "Anonymized child protection tables: cases registered in the period by protection "
                    "concern (a case under each of its concerns), risk level, age and sex, region and status; "
                    "referrals sent and reunifications in the period (CP cluster lead: all ISP agencies; "
                    "supervisor: own agency). Suppressed counts are null; 403 for the GBV sub-cluster's lead",
                    "parameters": PERIOD_PARAMETERS,
                    "responses": {"200": _json(_stats_report("cases")), **_errors(401, 403, 422)},
                }
            },
            "/stats/mrm": {
                "get": {
                    "summary": "Anonymized MRM tables: grave violations dated in the period by type and the "
                    "child's sex and age, and by region and quarter (CP cluster lead: all ISP agencies; "
                    "supervisor: own agency). Suppressed counts are null; 403 for the GBV sub-cluster's lead",
                    "parameters": PERIOD_PARAMETERS,
                    "responses": {"200": _json(_stats_report("violations")), **_errors(401, 403, 422)},
                }
            },
            **{
                f"/exports/cp.{fmt}": {
                    "get": {
                        "summary": f"The child protection and MRM tables (those that can be published) as a "
                        f"{fmt.upper()} file with HXL hashtags (CP cluster lead)",
                        "parameters": PERIOD_PARAMETERS,
                        "responses": {"200": {"description": "file", "content": {mime: {}}}, **_errors(401, 403, 422)},
                    }
                }
                for fmt, mime in (
                    ("csv", "text/csv"),
                    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                )
            },
            **cp_paths(),
            "/openapi.json": {
                "get": {
                    "summary": "This document",
                    "security": [],
                    "responses": {"200": {"description": "OpenAPI 3 document"}},
                }
            },
        },
    }
