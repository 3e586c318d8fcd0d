"""The web version, opened as a person would: headless Chromium from the distribution's packages.

A small run (a few claims at the quick budget, with ``--html``) is built through the CLI;
Chromium loads ``index.html`` from the file system and dumps the DOM it rendered: every
claim anchor resolves, every node of the dependency graph links to a claim on the page,
MathML elements are present and non-empty, and the browser logs no error about the page.
A screenshot of the first screen is written to ``$NTK_VERIFY_SCREENSHOT`` or, by default,
``artifacts/html-first-screen.png`` under the repository (printed by the test).  Skipped
when Chromium is missing and ``CI`` is not set.
"""
import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from verify.cli import main

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CLAIMS = ["dual.step", "dual.relu", "flow.cost_decrease", "lazy.kappa_alpha"]
SCREENSHOT = Path(os.environ.get("NTK_VERIFY_SCREENSHOT",
                                 Path(__file__).resolve().parents[2] / "artifacts" / "html-first-screen.png"))


def _browser(*arguments, timeout=120):
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (CI installs it)")
        pytest.skip("chromium is not installed")
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
               *arguments]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


class _Page(HTMLParser):
    """Ids, links, MathML elements and their text, as the browser rendered them."""

    def __init__(self):
        super().__init__()
        self.ids, self.links, self.node_links, self.maths = set(), [], [], []
        self._math_depth, self._in_svg_link = 0, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href", "").startswith("#"):
            self.links.append(attrs["href"][1:])
            if attrs.get("class") == "node":
                self.node_links.append(attrs["href"][1:])
        if tag == "math":
            self._math_depth += 1
            self.maths.append("")

    def handle_endtag(self, tag):
        if tag == "math":
            self._math_depth -= 1

    def handle_data(self, data):
        if self._math_depth:
            self.maths[-1] += data.strip()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    code = main(["run", *CLAIMS, "--budget", "quick", "--html", str(out), "--json", str(out / "run.json")])
    return out, code, json.loads((out / "run.json").read_text())


def test_the_page_has_every_claim_figure_and_verdict(site):
    out, code, run = site
    assert code in (0, 1)
    html = (out / "index.html").read_text()
    for claim in run["claims"]:
        assert f'id="claim-{claim["id"]}"' in html and claim["status"] in html
    recorded = sum(1 for c in run["claims"] for k in c["checks"] for v in k["data"].values()
                   if isinstance(v, dict) and "figure" in v)
    images = re.findall(r'<img src="([^"]+)"', html)
    assert len(images) == recorded and all((out / path).is_file() for path in images)
    assert "http" not in "".join(re.findall(r'<(?:script|link|img)[^>]*>', html))


def test_chromium_renders_mathml_anchors_and_graph_links_without_errors(site):
    out, _, run = site
    url = (out / "index.html").resolve().as_uri()
    dumped = _browser("--dump-dom", url)
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    page = _Page()
    page.feed(dumped.stdout)
    for claim in run["claims"]:
        assert f"claim-{claim['id']}" in page.ids, claim["id"]
    assert set(page.links) <= page.ids, sorted(set(page.links) - page.ids)
    ran = {c["id"] for c in run["claims"]}
    linked = {u for c in run["claims"] for u in c["uses"] if u in ran}
    if linked:
        assert page.node_links and all(n.startswith("claim-") and n in page.ids for n in page.node_links)
    assert len(page.maths) >= len(run["claims"]) and all(page.maths), "empty MathML element"
    errors = [line for line in dumped.stderr.splitlines()
              if ("CONSOLE" in line or "Uncaught" in line or "ERR_FILE" in line) and "index.html" in line]
    assert not errors, errors


def test_a_screenshot_of_the_first_screen_is_written(site):
    out, _, _ = site
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    shot = _browser(f"--screenshot={SCREENSHOT}", "--window-size=1280,900", (out / "index.html").resolve().as_uri())
    assert shot.returncode == 0 and SCREENSHOT.stat().st_size > 10_000, shot.stderr[-2000:]
    print(f"screenshot of the first screen: {SCREENSHOT}")
