"""Check every internal link of the built site: each relative ``href``/``src`` of every HTML
page names a file of the build, and each ``#fragment`` an ``id`` on the page it points to.

    python site/check_links.py [site/_build/html]

Prints one line per broken link and exits 1 if there is any. External links (http, https,
mailto, ...) are not followed: the site must build and display offline.
"""
from __future__ import annotations

import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []  # (attribute, value)
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("id", "name") and value:
                self.ids.add(value)
            if value and ((name == "href" and tag in ("a", "link", "area"))
                          or (name == "src" and tag in ("img", "script", "iframe", "source"))):
                self.links.append((name, value))


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8", errors="replace"))
    return page


def site_pages(html_dir: str | Path) -> list[Path]:
    """The pages of the built site (not the theme's template fragments under ``_static``)."""
    root = Path(html_dir).resolve()
    return sorted(p for p in root.rglob("*.html") if "_static" not in p.relative_to(root).parts)


def broken_links(html_dir: str | Path) -> list[str]:
    """Every internal link of the HTML files under ``html_dir`` that points nowhere."""
    root = Path(html_dir).resolve()
    pages = site_pages(root)
    if not pages:
        raise ValueError(f"html_dir={str(html_dir)!r} holds no HTML page; build the site first (make site)")
    parsed: dict[Path, _Page] = {}

    def page(path: Path) -> _Page:
        if path not in parsed:
            parsed[path] = _parse(path)
        return parsed[path]

    problems = []
    for source in pages:
        for attribute, link in page(source).links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith("//"):
                continue  # external: not followed
            target = source if not parts.path else (source.parent / unquote(parts.path)).resolve()
            if parts.path.endswith("/") or target.is_dir():
                target = target / "index.html"
            where = f"{source.relative_to(root)}: {attribute}={link!r}"
            if root not in target.parents and target != root:
                problems.append(f"{where} leaves the site")
            elif not target.is_file():
                problems.append(f"{where}: no file {target.relative_to(root)}")
            elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in page(target).ids:
                problems.append(f"{where}: no id {parts.fragment!r} in {target.relative_to(root)}")
    return problems


def main(argv: list[str]) -> int:
    html_dir = argv[1] if len(argv) > 1 else str(Path(__file__).parent / "_build" / "html")
    problems = broken_links(html_dir)
    for line in problems:
        print(line)
    pages = len(site_pages(html_dir))
    print(f"{len(problems)} broken internal link(s) in {pages} pages of {html_dir}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
