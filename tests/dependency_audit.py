"""The dependency audit of ``make test``: read pip-audit's JSON report (stdin or a file) and fail
on any known vulnerability. Where the advisory service cannot be reached (an offline mirror, no
network), nothing could be audited: say so plainly and let the build go on — never a silent pass.

    pip-audit --disable-pip --no-deps -f json -r constraints.txt | python -m tests.dependency_audit
"""

from __future__ import annotations

import json
import sys
from typing import Any


def verdict(report: dict[str, Any]) -> tuple[int, str]:
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    audited = [d for d in dependencies if "skip_reason" not in d]
    if vulnerable:
        lines = [
            f"  {d['name']} {d['version']}: " + ", ".join(v["id"] for v in d["vulns"]) for d in vulnerable
        ]
        return 1, "known vulnerabilities in pinned dependencies:\n" + "\n".join(lines)
    if not audited:
        return 0, (
            f"NOTICE: dependency audit skipped — the advisory service could not be reached "
            f"({len(dependencies)} dependencies unaudited). Run `make test` where PyPI's JSON API answers."
        )
    skipped = len(dependencies) - len(audited)
    return 0, f"dependency audit: {len(audited)} audited, no known vulnerability" + (
        f" ({skipped} could not be audited)" if skipped else ""
    )


def main() -> int:
    source = open(sys.argv[1], encoding="utf-8") if len(sys.argv) > 1 else sys.stdin
    text = source.read()
    try:
        report = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError:
        report = {}
    if not report:
        print("NOTICE: dependency audit skipped — pip-audit produced no report (no network?).")
        return 0
    status, message = verdict(report)
    print(message)
    return status


if __name__ == "__main__":
    sys.exit(main())
