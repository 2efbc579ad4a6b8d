"""The page texts: every msgid in the sources is in the Chinese catalog, translated, and compiled."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "service" / "translations"
PO = TRANSLATIONS / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
METHODS = [("service/**.py", "python"), ("service/templates/**.html", "jinja2")]


def _source_msgids() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=METHODS, keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def _catalog(compiled: bool = False) -> dict[str, str]:
    with (MO if compiled else PO).open("rb") as handle:
        catalog = read_mo(handle) if compiled else read_po(handle, locale="zh_Hans_CN")
    return {
        (m.id if isinstance(m.id, str) else m.id[0]): (m.string if isinstance(m.string, str) else m.string[0])
        for m in catalog
        if m.id
    }


def test_every_page_text_has_a_chinese_translation() -> None:
    catalog = _catalog()
    missing = sorted(msgid for msgid in _source_msgids() if not catalog.get(msgid))
    assert not missing, f"untranslated (run ./dev babel, then fill {PO.relative_to(ROOT)}): {missing}"


def test_the_compiled_catalog_matches_the_po_file() -> None:
    compiled = _catalog(compiled=True)
    stale = [msgid for msgid, text in _catalog().items() if compiled.get(msgid) != text]
    assert not stale, f"recompile the catalog (./dev babel): {stale[:5]}"
