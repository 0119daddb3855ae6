"""The dependency audit fails on a vulnerability and says so when nothing could be audited."""

from __future__ import annotations

from tests.dependency_audit import verdict


def test_a_known_vulnerability_fails_the_build() -> None:
    report = {"dependencies": [{"name": "flask", "version": "2.0.0", "vulns": [{"id": "PYSEC-2023-62"}]},
                               {"name": "rich", "version": "14.0.0", "vulns": []}]}
    status, message = verdict(report)
    assert status == 1 and "flask 2.0.0: PYSEC-2023-62" in message


def test_nothing_audited_is_a_notice_not_a_silent_pass() -> None:
    report = {"dependencies": [{"name": "flask", "version": "3.1.0", "skip_reason": "not found on PyPI"}]}
    status, message = verdict(report)
    assert status == 0 and message.startswith("NOTICE: dependency audit skipped")


def test_a_clean_audit_counts_what_it_checked() -> None:
    report = {"dependencies": [{"name": "flask", "version": "3.1.0", "vulns": []},
                               {"name": "x", "version": "1", "skip_reason": "not found"}]}
    assert verdict(report) == (0, "dependency audit: 1 audited, no known vulnerability (1 could not be audited)")
