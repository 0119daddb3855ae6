"""The referral packet: only what the caseworker selects *and* the survivor consented to
release to the service area of the referral. There is no override."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .errors import ConsentMissing

# The referral service types, each with the consent area (consent.release, gbvims RELEASE_AREAS)
# that covers it and the referral-pathway line of the Incident Recording Form (gbvims
# PATHWAY_SERVICES) it updates. The one list of these codes: the app's labels, forms, stats and
# OpenAPI document take it from here (tests/unit/test_code_lists.py checks the copies).
_SERVICES: dict[str, tuple[str, str | None]] = {
    "health": ("health", "health"),
    "psychosocial": ("psychosocial", "psychosocial"),
    "legal": ("legal", "legal"),
    "security": ("security", "security"),
    "shelter": ("shelter", "shelter"),
    "livelihoods": ("livelihoods", "livelihoods"),
    "child_protection": ("other", "child_protection"),
    "education": ("other", "child_protection"),
    "family_tracing": ("other", "child_protection"),
    "alternative_care": ("other", "child_protection"),
    # Birth registration and civil documents: a legal service, but not the IRF's legal line
    # (legal aid for the GBV case), which it would inflate.
    "civil_documentation": ("legal", None),
    # Victim assistance for mine and explosive-remnant victims: no IRF line describes it.
    "victim_assistance": ("health", None),
}
SERVICE_TYPES = tuple(_SERVICES)
# The consent area (consent.release) that covers each service type.
CONSENT_AREA = {service: area for service, (area, _line) in _SERVICES.items()}
# Which referral-pathway line of the Incident Recording Form a service type updates (None: none).
PATHWAY_LINE = {service: line for service, (_area, line) in _SERVICES.items()}
# Fields a packet may carry: identifying ones (copied, encrypted under the packet's own key)
# and coded ones the provider needs to prepare (age, sex).
PACKET_FIELDS = (
    "given_name",
    "family_name",
    "nickname",
    "phone",
    "address",
    "date_of_birth",
    "age",
    "sex",
    "caregiver_name",
    "caregiver_phone",
)
IDENTIFYING_PACKET_FIELDS = frozenset(PACKET_FIELDS) - {"age", "sex"}


def consent_area(service_type: str) -> str:
    return CONSENT_AREA[service_type]


def check_share(
    share: Iterable[str], service_type: str, release: Mapping[str, bool], services_consent: bool, withdrawn: bool
) -> list[str]:
    """The fields to copy; raises ConsentMissing when the survivor did not consent to this release."""
    fields = list(dict.fromkeys(share))
    unknown = [f for f in fields if f not in PACKET_FIELDS]
    if unknown:
        raise ValueError(", ".join(unknown))
    if withdrawn or not services_consent or not release.get(consent_area(service_type)):
        raise ConsentMissing(fields or [consent_area(service_type)])
    return fields
