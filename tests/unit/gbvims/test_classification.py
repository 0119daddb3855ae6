"""The classification tool: every one of the 2^6 answer combinations, the precedence order,
partial answers, and each case-context flag rule."""

from __future__ import annotations

import itertools

import pytest

from gbvims.classification import (
    ANSWER_KEYS,
    GBV_TYPES,
    IncidentContext,
    IncompleteAnswers,
    classify,
    context_flags,
    next_question,
)

ORDER = ["rape", "sexual_assault", "physical_assault", "forced_marriage", "denial_of_resources", "psychological_abuse"]


def expected_type(answers: tuple[bool, ...]) -> str:
    """Written independently of the implementation: the first "yes" in the tool's order."""
    for position, answer in enumerate(answers):
        if answer:
            return ORDER[position]
    return "non_gbv"


@pytest.mark.parametrize("answers", list(itertools.product([False, True], repeat=6)))
def test_all_64_combinations(answers: tuple[bool, ...]) -> None:
    result = classify(dict(zip(ANSWER_KEYS, answers, strict=True)))
    assert result == expected_type(answers)
    assert result in GBV_TYPES


def test_question_order_is_the_tools() -> None:
    assert ANSWER_KEYS == (
        "penetration",
        "unwanted_sexual_contact",
        "physical_assault",
        "forced_marriage",
        "denial_of_resources",
        "psychological_abuse",
    )


def test_rape_wins_over_everything_else() -> None:
    assert classify(dict.fromkeys(ANSWER_KEYS, True)) == "rape"


def test_questions_after_the_first_yes_need_no_answer() -> None:
    assert classify({"penetration": False, "unwanted_sexual_contact": False, "physical_assault": True}) == (
        "physical_assault"
    )


def test_a_skipped_question_before_the_answer_is_refused() -> None:
    with pytest.raises(IncompleteAnswers) as refused:
        classify({"penetration": False, "physical_assault": True})
    assert refused.value.missing == "unwanted_sexual_contact"


@pytest.mark.parametrize(
    ("answers", "question"),
    [
        ({}, "penetration"),
        ({"penetration": False}, "unwanted_sexual_contact"),
        ({"penetration": True}, None),
        (dict.fromkeys(ANSWER_KEYS, False), None),
        (
            {
                "penetration": False,
                "unwanted_sexual_contact": False,
                "physical_assault": False,
                "forced_marriage": False,
            },
            "denial_of_resources",
        ),
    ],
)
def test_next_question_asks_one_after_the_other(answers, question) -> None:
    assert next_question(answers) == question


@pytest.mark.parametrize(
    ("gbv_type", "context", "flags"),
    [
        (
            "physical_assault",
            IncidentContext(perpetrator_relationships=["intimate_partner"]),
            ["intimate_partner_violence"],
        ),
        ("non_gbv", IncidentContext(perpetrator_relationships=["intimate_partner"]), []),
        ("rape", IncidentContext(age_at_incident=15), ["child_sexual_abuse"]),
        ("rape", IncidentContext(age_at_incident=18), []),
        ("physical_assault", IncidentContext(age_at_incident=12), []),
        ("forced_marriage", IncidentContext(age_at_incident=14), ["early_marriage"]),
        ("forced_marriage", IncidentContext(age_at_incident=19), []),
        ("sexual_assault", IncidentContext(money_or_goods_exchanged=True), ["possible_sexual_exploitation"]),
        ("physical_assault", IncidentContext(money_or_goods_exchanged=True), []),
        ("rape", IncidentContext(abduction="trafficked"), ["possible_sexual_slavery"]),
        ("psychological_abuse", IncidentContext(abduction="trafficked"), []),
        ("sexual_assault", IncidentContext(harmful_traditional_practice="fgm_c"), ["harmful_traditional_practice"]),
        ("non_gbv", IncidentContext(harmful_traditional_practice="fgm_c"), []),
        (
            "rape",
            IncidentContext(
                age_at_incident=13,
                perpetrator_relationships=["intimate_partner", "unknown"],
                money_or_goods_exchanged=True,
                abduction="other_abduction",
                harmful_traditional_practice="early_marriage",
            ),
            [
                "intimate_partner_violence",
                "child_sexual_abuse",
                "possible_sexual_exploitation",
                "possible_sexual_slavery",
                "harmful_traditional_practice",
            ],
        ),
    ],
)
def test_context_flags(gbv_type, context, flags) -> None:
    assert context_flags(gbv_type, context) == flags
