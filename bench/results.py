"""``bench/RESULTS.md``: the one page the figures come from, assembled from each benchmark's own
part (country scale, statistics, throughput), whichever have been run, and ``PROFILE.md``: where
the time goes for a target not met, written by hand from a profile and dated."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent
PARTS = ("SCALE.md", "STATISTICS.md", "THROUGHPUT.md", "PROFILE.md")  # the last written by hand


def assemble() -> Path:
    sections = [
        "# Benchmark results — `make bench`",
        "",
        "Each section is written by its benchmark (`bench/bench_scale.py`, `bench/bench_stats.py`,",
        "`bench/bench_throughput.py`) on this machine, every figure beside a baseline measured in the",
        "same run; run one alone and only its section changes.",
    ]
    for part in PARTS:
        path = HERE / part
        if path.exists():
            text = path.read_text(encoding="utf-8").strip()
            sections += ["", "#" + text if text.startswith("# ") else text]
    target = HERE / "RESULTS.md"
    target.write_text("\n".join(sections) + "\n", encoding="utf-8")
    return target
