"""Pathway suggestion: which providers can take a survivor at this location for this service.

Pure: the app loads the candidate providers (offering the service, active) and the location
tree; this module decides who fits and in which order — the closest level first (commune, then
cercle, then region), children only to providers that serve children.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Candidate:
    id: str
    name: str
    service_types: frozenset[str]
    location_codes: frozenset[str]
    serves_children: bool = True
    active: bool = True
    # Post-rape care: the service manages rape clinically and has PEP kits in stock now.
    clinical_management_of_rape: bool = False
    pep_kits_in_stock: bool = False
    extra: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Match:
    candidate: Candidate
    distance: int  # 0: serves this very location; 1: its parent (cercle); 2: the region


def ancestors(code: str | None, parent_of: Mapping[str, str | None]) -> list[str]:
    """``code`` and the areas that contain it, nearest first (commune → cercle → region)."""
    chain: list[str] = []
    while code is not None and code not in chain:
        chain.append(code)
        code = parent_of.get(code)
    return chain


def suggest(
    candidates: Iterable[Candidate],
    service_type: str,
    location_code: str | None,
    parent_of: Mapping[str, str | None],
    child: bool,
) -> list[Match]:
    chain = ancestors(location_code, parent_of)
    matches = []
    for candidate in candidates:
        if not candidate.active or service_type not in candidate.service_types:
            continue
        if child and not candidate.serves_children:
            continue
        distances = [chain.index(code) for code in candidate.location_codes if code in chain]
        if distances:
            matches.append(Match(candidate, min(distances)))
    return sorted(matches, key=lambda m: (m.distance, m.candidate.name))


def ready_for_post_rape_care(candidate: Candidate) -> bool:
    """Whether a health service can start post-rape care at once: clinical management of rape
    and PEP kits in stock."""
    return candidate.clinical_management_of_rape and candidate.pep_kits_in_stock


def post_rape_care_first(matches: list[Match]) -> list[Match]:
    """After a rape within 72 hours: the services ready for post-rape care first, then the others,
    each group in the order it had (closest first, then by name)."""
    return sorted(matches, key=lambda m: not ready_for_post_rape_care(m.candidate))


def serves(
    candidate: Candidate, service_type: str, location_code: str | None, parent_of: Mapping[str, str | None], child: bool
) -> bool:
    """Whether a provider chosen by hand fits: the same rules as the suggestion."""
    return bool(suggest([candidate], service_type, location_code, parent_of, child))
