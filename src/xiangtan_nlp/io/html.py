"""HTML page to plain text with paragraph breaks, plus the title, date and URL the markup states."""

from __future__ import annotations

from html.parser import HTMLParser

_BLOCK = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 tr table section article header footer nav aside "
    "blockquote pre dd dt dl hr form figure figcaption title".split()
)
_SKIP = frozenset("script style noscript template svg iframe head".split())
_DATE_META = ("article:published_time", "publishdate", "pubdate", "publish_date", "date", "og:published_time")


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.meta: dict[str, str] = {}
        self._in_title = False
        self._in_h1 = False
        self.title_parts: list[str] = []
        self.h1_parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            key = (a.get("property") or a.get("name") or a.get("itemprop") or "").lower()
            if key and a.get("content"):
                self.meta.setdefault(key, a["content"])
        elif tag == "link" and "canonical" in a.get("rel", "").lower() and a.get("href"):
            self.meta.setdefault("canonical", a["href"])
        if tag == "title":
            self._in_title = True
        elif tag in _SKIP:
            self.skip += 1
        if tag == "h1":
            self._in_h1 = True
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in _SKIP and self.skip:
            self.skip -= 1
        if tag == "h1":
            self._in_h1 = False
        if tag in _BLOCK:
            self.parts.append("\n")

    def parse_marked_section(self, i: int, report: int = 1) -> int:
        """``<![ 5 ]>``, ``<![]>``: the standard parser asserts; HTML reads them as a bogus comment."""
        try:
            return super().parse_marked_section(i, report)
        except AssertionError:
            return self.parse_bogus_comment(i, report)

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_parts.append(data)
            return
        if self.skip:
            return
        if self._in_h1:
            self.h1_parts.append(data)
        self.parts.append(data)


def html_to_text(markup: str) -> tuple[str, dict[str, str | None]]:
    """Visible text (one paragraph per line) and the page's own title/date/url."""
    p = _TextParser()
    p.feed(markup)
    p.close()
    raw = "".join(p.parts)
    lines = [" ".join(line.split()) for line in raw.split("\n")]
    text = "\n".join(line for line in lines if line)
    h1 = " ".join("".join(p.h1_parts).split())
    title = h1 or " ".join("".join(p.title_parts).split()) or None
    date = next((p.meta[k] for k in _DATE_META if k in p.meta), None)
    url = p.meta.get("canonical") or p.meta.get("og:url")
    return text, {"title": title, "date": date, "url": url}
