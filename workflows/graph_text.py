"""Text for Graphviz labels: balanced line wrapping for CJK names, and escaping for DOT and SVG.

Every visible text goes through an HTML-like label built here, so names containing quotes, `<`,
`&` or backslashes cannot break the DOT or the SVG.
"""

from __future__ import annotations

import html
import math
import unicodedata
from collections.abc import Sequence
from urllib.parse import quote as url_quote

import graphviz

SMALL_SIZE = 8  # points, for the headers and footers of labels
WRAP_WIDTH = 10.0  # CJK characters per line; Latin characters count half


def is_wide(ch: str) -> bool:
    """Tell whether a character is East-Asian wide (CJK ideographs, full-width forms)."""
    return unicodedata.east_asian_width(ch) in ("W", "F")


def wrap(text: str, width: float = WRAP_WIDTH) -> list[str]:
    """Split a name into balanced lines of at most about `width` CJK characters (Latin words whole)."""
    total = sum(_char_width(ch) for ch in text.strip())
    if total > width:
        lines_needed = math.ceil(total / width)
        width = math.ceil(total / lines_needed)
    return _wrap_greedy(text, width)


def _char_width(ch: str) -> float:
    """Return a character's width in CJK character units."""
    return 1.0 if is_wide(ch) else 0.5


def _wrap_greedy(text: str, width: float) -> list[str]:
    """Fill lines up to `width`, breaking between wide characters or at spaces."""
    lines: list[str] = []
    line, used = "", 0.0
    for token in _tokens(text):
        size = sum(_char_width(ch) for ch in token)
        if line and used + size > width and not token.isspace():
            lines.append(line.rstrip())
            line, used = "", 0.0
        if line or not token.isspace():
            line, used = line + token, used + size
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _tokens(text: str) -> list[str]:
    """Cut text into single wide characters, runs of spaces and runs of other characters."""
    tokens: list[str] = []
    for ch in text:
        same_run = tokens and not is_wide(ch) and not is_wide(tokens[-1][-1])
        if same_run and ch.isspace() == tokens[-1][-1].isspace():
            tokens[-1] += ch
        else:
            tokens.append(ch)
    return tokens


def display(text: str) -> str:
    """Make text safe from Graphviz escape sequences.

    Graphviz 2.43 expands `\\N`, `\\G`, `\\L` ... even inside HTML labels and tooltips, and the
    undo (doubling) differs between attributes, so a backslash is shown as its full-width form.
    """
    return text.replace("\\", "＼")


def html_text(text: str) -> str:
    """Escape text for the inside of an HTML-like label."""
    return html.escape(display(text), quote=False)


def html_label(
    lines: Sequence[str], *, header: str = "", footer: Sequence[str] = (), strike: bool = False
) -> str:
    """Build an HTML-like label: an optional small header, the name lines, small footer lines."""
    parts: list[str] = []
    if header:
        parts.append(f'<FONT POINT-SIZE="{SMALL_SIZE}">{html_text(header)}</FONT>')
    if lines:
        body = "<BR/>".join(html_text(line) for line in lines)
        parts.append(f"<S>{body}</S>" if strike else body)
    parts.extend(f'<FONT POINT-SIZE="{SMALL_SIZE}">{html_text(line)}</FONT>' for line in footer if line)
    return "<" + "<BR/>".join(parts) + ">"


def plain_attr(text: str) -> str:
    """Return a plain-string attribute value (tooltip) that Graphviz will not reinterpret."""
    value: str = graphviz.nohtml(display(text))  # NoHtml: never read as an HTML-like label
    return value


def safe_url(url: str) -> str:
    """Percent-encode what Graphviz would copy unescaped into SVG (quotes, <, >, &, spaces, non-ASCII).

    Graphviz 2.43 writes URL attributes into the SVG verbatim, so a raw `&` or `"` would make the
    document ill-formed; a link with several query parameters therefore needs another separator.
    """
    return url_quote(url, safe="/:?#[]@!$'()*+,;=%-._~")
