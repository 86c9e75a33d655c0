"""The course website (``make site``) in a real browser.

Builds the site the way ``make site`` does (Sphinx, warnings as errors), checks its internal
links, serves ``site/_build/html`` from a local static server and opens every page in headless
Chromium (Debian's, driven by Playwright; no browser download): no console errors, no request
leaving the local server, every image loaded, the equations typeset on the pages whose notebook
has math, the launch buttons pointing at the right notebook, the "next" link going to the next
notebook. A screenshot of each page lands in ``site/_build/screenshots/``.
"""
from __future__ import annotations

import functools
import http.server
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from hopfield_lab import course

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "site"
HTML = SITE / "_build" / "html"
SHOTS = SITE / "_build" / "screenshots"
NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _load_check_links():
    spec = importlib.util.spec_from_file_location("site_check_links", SITE / "check_links.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_links = _load_check_links()


def _chromium() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium",
                      shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def _has_math(stem: str) -> bool:
    nb = json.loads((ROOT / "notebooks" / f"{stem}.ipynb").read_text())
    text = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    return bool(re.search(r"\$[^$\n]+\$", text))


def expected_launch_urls(stem: str) -> dict[str, str]:
    """Colab and Binder open the student version where there is one (02 and 03 have none)."""
    folder = "student" if (ROOT / "student" / f"{stem}.ipynb").exists() else "notebooks"
    return {"colab": f"https://colab.research.google.com/github/{course.REPOSITORY}/blob/{course.BRANCH}"
                     f"/{folder}/{stem}.ipynb",
            "binder": f"https://mybinder.org/v2/gh/{course.REPOSITORY}/{course.BRANCH}"
                      f"?urlpath=lab/tree/{folder}/{stem}.ipynb"}


# --- the link checker itself must be able to fail -------------------------------------------

def test_link_checker_reports_missing_pages_and_anchors(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "index.html").write_text(
        '<a href="sub/a.html#there">ok</a> <a href="sub/a.html#nowhere">bad anchor</a>'
        '<a href="missing.html">bad page</a> <img src="_images/x.png"> <a href="https://example.org/x">ext</a>')
    (tmp_path / "sub" / "a.html").write_text('<h1 id="there">A</h1><a href="../index.html">back</a>')
    problems = check_links.broken_links(tmp_path)
    assert len(problems) == 3, problems
    assert any("nowhere" in p for p in problems)
    assert any("missing.html" in p for p in problems)
    assert any("x.png" in p for p in problems)
    (tmp_path / "index.html").write_text('<a href="sub/a.html#there">ok</a>')
    assert check_links.broken_links(tmp_path) == []
    with pytest.raises(ValueError, match="html_dir"):
        check_links.broken_links(tmp_path / "sub" / "none")


# --- the build ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def built_site():
    if importlib.util.find_spec("sphinx") is None or importlib.util.find_spec("myst_nb") is None:
        pytest.skip("Sphinx / myst-nb are not installed (the `site` extra: make site, or make test)")
    # the same command as `make site`: a fresh build, warnings are errors
    run = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-E", "-W", "--keep-going", "-q",
                          str(SITE), str(HTML)], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, f"the site build failed or warned:\n{run.stdout}\n{run.stderr}"
    return HTML


def test_site_builds_every_notebook_with_no_broken_internal_link(built_site):
    pages = {p.relative_to(built_site).as_posix() for p in check_links.site_pages(built_site)}
    assert {f"notebooks/{stem}.html" for stem in NOTEBOOKS} <= pages
    assert {"index.html", "references.html", "api.html"} <= pages
    assert check_links.broken_links(built_site) == []
    # offline: MathJax is bundled with the site, no page loads a script from elsewhere
    assert (built_site / "_static" / "mathjax" / "tex-chtml.js").is_file()
    for page in check_links.site_pages(built_site):
        assert not re.search(r'<script[^>]+src="(https?:)?//', page.read_text()), page


# --- the browser -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def server(built_site):
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright for Python is not installed (the `site` extra; make test installs it)")
    executable = _chromium()
    if executable is None:
        pytest.skip("no Chromium found (Debian: apt-get install -y chromium; .ci/run installs it in CI)")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                          "--disable-dev-shm-usage"])
        yield browser
        browser.close()


class _Visit:
    """One page open in the browser, with what it logged and requested."""

    def __init__(self, browser, base: str):
        self.base = base
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.page.set_default_timeout(20_000)
        self.errors: list[str] = []
        self.foreign: list[str] = []
        self.failed: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.page.on("request", lambda r: r.url.startswith(base) or r.url.startswith("data:")
                     or self.foreign.append(r.url))
        self.page.on("requestfailed", lambda r: self.failed.append(r.url))

    def open(self, path: str):
        self.page.goto(self.base + path, wait_until="load")
        # MathJax typesets after load: wait for it where the page has it
        self.page.evaluate("""async () => {
            if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
        }""")
        return self.page

    def close(self):
        self.context.close()


def _images(page) -> list[dict]:
    return page.evaluate("""async () => {
        const imgs = Array.from(document.images);
        await Promise.all(imgs.map(img => img.complete ? null :
            new Promise(done => { img.addEventListener('load', done); img.addEventListener('error', done); })));
        return imgs.map(img => ({src: img.getAttribute('src'), width: img.naturalWidth}));
    }""")


PAGES = ["index.html", "references.html", "api.html", "genindex.html", "py-modindex.html", "search.html",
         *[f"notebooks/{stem}.html" for stem in NOTEBOOKS]]


@pytest.mark.parametrize("path", PAGES)
def test_page_in_browser(browser, server, path):
    visit = _Visit(browser, server)
    try:
        page = visit.open(path)
        SHOTS.mkdir(parents=True, exist_ok=True)
        shot = SHOTS / (path.replace("/", "_").removesuffix(".html") + ".png")
        page.screenshot(path=str(shot))
        assert page.title(), f"{path} has no title"

        images = _images(page)
        assert [i for i in images if i["width"] == 0] == [], f"{path}: images that did not load"

        stem = path.removeprefix("notebooks/").removesuffix(".html")
        if path.startswith("notebooks/"):
            notebook = json.loads((ROOT / "notebooks" / f"{stem}.ipynb").read_text())
            figures = sum("image/png" in o.get("data", {}) for c in notebook["cells"] for o in c.get("outputs", []))
            shown = [i for i in images if i["src"] and i["src"].startswith("../_images/") and i["src"].endswith(".png")]
            assert len(shown) == figures, f"{path}: {len(shown)} figures shown, the notebook stores {figures}"
            if figures:  # a picture of the first figure, for the eye
                page.locator("article img[src^='../_images/'][src$='.png']").first.screenshot(path=str(shot.with_name(shot.stem + "-figure.png")))

            typeset = page.locator("mjx-container").count()
            errors = page.locator("mjx-merror").count()
            if _has_math(stem):
                assert typeset > 0, f"{path}: the notebook has math, MathJax typeset none of it"
                assert errors == 0, f"{path}: {errors} equations MathJax could not typeset"
                assert page.locator("span.math").count() <= typeset, f"{path}: some math left untypeset"

            # (the theme's tooltips move each button's title away: name them by their text)
            buttons = page.locator(".dropdown-launch-buttons a.dropdown-item").evaluate_all(
                "as => as.map(a => [a.innerText.trim().toLowerCase(), a.getAttribute('href')])")
            got = dict(buttons)
            assert len(got) == len(buttons), f"{path}: launch buttons with the same name: {buttons}"
            assert got == expected_launch_urls(stem), f"{path}: launch buttons"

            index = NOTEBOOKS.index(stem)
            following = f"notebooks/{NOTEBOOKS[index + 1]}.html" if index + 1 < len(NOTEBOOKS) else "references.html"
            page.locator("a.right-next").click()
            page.wait_for_load_state("load")
            assert page.url == server + following, f"{path}: 'next' leads to {page.url}"
            assert page.locator("h1").first.inner_text().strip(), f"{following} has no heading"

        assert visit.errors == [], f"{path}: {visit.errors}"
        assert visit.foreign == [], f"{path} requested resources from outside the site: {visit.foreign}"
        assert visit.failed == [], f"{path}: requests that failed: {visit.failed}"
    finally:
        visit.close()


def test_home_page_is_the_course_map(browser, server):
    visit = _Visit(browser, server)
    try:
        page = visit.open("index.html")
        targets = page.locator("article a.reference.internal").evaluate_all("as => as.map(a => a.getAttribute('href'))")
        for stem in NOTEBOOKS:  # the course map's table links every notebook
            assert f"notebooks/{stem}.html" in targets, f"the course map does not link {stem}"
        assert "Course map" in page.locator("article").inner_text()
    finally:
        visit.close()
