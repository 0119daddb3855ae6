"""Browser tests: the real app served on 127.0.0.1 from a thread, driven by Playwright in
Debian's Chromium. Every page visited is checked with axe-core (serious or critical
violations fail) and weighed (HTML + CSS + JS under 60 KB)."""

from __future__ import annotations

import json
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from werkzeug.serving import make_server

from app.extensions import limiter

from ..conftest import Factory, create_schema, make_app, wipe
from ..databases import isolated_database

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
PAGE_BUDGET = 60 * 1024
PHONE = {"width": 360, "height": 740}

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str]]:
    with isolated_database(tmp_path_factory.mktemp("e2e")) as url:
        app = make_app(url)
        create_schema(app)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield app, f"http://127.0.0.1:{server.server_port}"
        finally:
            server.shutdown()
            with app.app_context():
                from models import db

                db.engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `make test` installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def live(live_app: tuple[Flask, str]) -> Iterator[tuple[Flask, str]]:
    yield live_app
    wipe(live_app[0])
    limiter.reset()


@pytest.fixture
def people(live: tuple[Flask, str]) -> Factory:
    return Factory(live[0])


class Visit:
    """A Playwright page that checks accessibility and weight of every page it lands on."""

    axe = Axe()

    def __init__(self, page: object, base: str, artifacts: Path) -> None:
        self.page = page
        self.base = base
        self.artifacts = artifacts
        self.bytes = 0
        self.html = 0
        self.checked: list[str] = []
        page.on("response", self._count)  # type: ignore[attr-defined]

    def _count(self, response: object) -> None:
        if response.request.resource_type in {"document", "stylesheet", "script"}:  # type: ignore[attr-defined]
            try:
                size = len(response.body())  # type: ignore[attr-defined]
            except Exception:  # noqa: BLE001 — a redirect has no body to weigh
                return
            # Not ``self.bytes += len(response.body())``: reading the body lets the other responses'
            # events run meanwhile, and their sizes were lost when the old total was written back.
            self.bytes += size
            if response.request.resource_type == "document":  # type: ignore[attr-defined]
                self.html += size

    def goto(self, path: str) -> None:
        self.bytes = 0
        self.page.goto(self.base + path)  # type: ignore[attr-defined]
        self.check()

    def check(self) -> None:
        """Run after each navigation: accessibility, weight, no horizontal scrolling at 360 px."""
        page = self.page
        page.wait_for_load_state("load")  # type: ignore[attr-defined]
        results = self.axe.run(page)
        bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
        url = page.url  # type: ignore[attr-defined]
        assert not bad, f"{url}: accessibility violations: " + "; ".join(
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}" for v in bad
        )
        assert self.bytes < PAGE_BUDGET, f"{url}: {self.bytes} bytes of HTML+CSS+JS (budget {PAGE_BUDGET})"
        title = page.title()  # type: ignore[attr-defined]
        assert title.endswith("— Sutura") and len(title) < 100 and "<" not in title, f"{url}: title {title[:80]!r}"
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")  # type: ignore[attr-defined]
        assert not overflow, f"{url}: wider than a 360 px phone screen"
        self.checked.append(url)
        _log_weight(url, self.html, self.bytes)
        self.bytes = self.html = 0


WEIGHTS = Path("test-results") / "page_weights.jsonl"
IDS = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?<=/)\d+(?=/|$)")


def _log_weight(url: str, html: int, total: int) -> None:
    """Every page a browser test lands on, by route, with its weight: ``make test`` leaves the
    list in test-results/ (not committed), from which the heaviest page of each route is read."""
    route = IDS.sub("{id}", urlsplit(url).path)
    WEIGHTS.parent.mkdir(exist_ok=True)
    with WEIGHTS.open("a", encoding="utf-8") as file:
        file.write(json.dumps({"route": route, "html": html, "total": total}) + "\n")


@pytest.fixture
def visit(browser: object, live: tuple[Flask, str], request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Visit]:
    context = browser.new_context(viewport=PHONE, locale="fr-FR")  # type: ignore[attr-defined]
    page = context.new_page()
    visitor = Visit(page, live[1], tmp_path)
    yield visitor
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        out = Path("test-results")
        out.mkdir(exist_ok=True)
        page.screenshot(path=str(out / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"rep_{report.when}", report)
