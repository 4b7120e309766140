"""The Simplified Chinese catalogue is complete, compiled, current, and used by default.

Pure Python (no gettext tools, no polib): a small .po reader, a small extractor that finds the
strings marked for translation the way ``makemessages`` does (``ast`` for Python,
Django's own ``templatize`` for templates), and the standard library's .mo reader.

When a test here fails, regenerate and translate: ``make messages`` (or, from ``wushe/``,
``../.venv/bin/wushe makemessages -l zh_Hans --no-obsolete -i "dispatch/*"`` then
``../.venv/bin/wushe compilemessages -l zh_Hans``), fill every empty ``msgstr``, drop every
``fuzzy`` flag, compile, and commit both django.po and django.mo.
"""

from __future__ import annotations

import ast
import gettext as stdlib_gettext
import io
import re
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation.template import templatize

PACKAGE = Path(__file__).resolve().parents[2] / "wushe"
LOCALE = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES"
PO = LOCALE / "django.po"
MO = LOCALE / "django.mo"

# Not scanned: the catalogue itself, and the dispatch engine, a pure library without Django.
IGNORED = [PACKAGE / "locale", PACKAGE / "dispatch" / "engine"]

# --------------------------------------------------------------------------- .po reader

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b"}
_ESCAPES |= {"f": "\f", "v": "\v"}


def _unquote(literal: str) -> str:
    """One quoted PO string ("...") to its text, undoing the C escapes gettext writes."""
    literal = literal.strip()
    assert literal.startswith('"') and literal.endswith('"'), literal
    body, out, i = literal[1:-1], [], 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            out.append(_ESCAPES.get(body[i + 1], body[i + 1]))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


@dataclass
class Entry:
    line: int
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)


def read_po(path: Path) -> list[Entry]:
    """Every entry of a .po file, the header (msgid "") included; obsolete (#~) ones skipped."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int | None] | None = None

    def start(lineno: int) -> Entry:
        entry = Entry(line=lineno)
        entries.append(entry)
        return entry

    pending_flags: set[str] = set()
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            current, target = None, None
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            pending_flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            assert current is not None and target is not None, f"{path}:{lineno}: stray string"
            name, index = target
            text = _unquote(line)
            if name == "msgstr":
                current.msgstr[index] += text  # type: ignore[index]
            else:
                setattr(current, name, (getattr(current, name) or "") + text)
            continue
        if keyword in ("msgctxt", "msgid") and (current is None or current.msgstr):
            current = start(lineno)
            current.flags, pending_flags = pending_flags, set()
        assert current is not None, f"{path}:{lineno}: {keyword} outside an entry"
        if keyword in ("msgctxt", "msgid", "msgid_plural"):
            setattr(current, keyword, _unquote(rest))
            target = (keyword, None)
        elif keyword == "msgstr":
            current.msgstr[0] = _unquote(rest)
            target = ("msgstr", 0)
        elif (m := re.fullmatch(r"msgstr\[(\d+)\]", keyword)) is not None:
            index = int(m[1])
            current.msgstr[index] = _unquote(rest)
            target = ("msgstr", index)
        else:
            raise AssertionError(f"{path}:{lineno}: cannot read {line!r}")
    return entries


def messages(entries: list[Entry]) -> list[Entry]:
    return [e for e in entries if e.msgid != "" or e.msgctxt is not None]


def header(entries: list[Entry]) -> dict[str, str]:
    head = next(e for e in entries if e.msgid == "" and e.msgctxt is None)
    pairs = (line.split(":", 1) for line in head.msgstr[0].splitlines() if ":" in line)
    return {k.strip(): v.strip() for k, v in pairs}


# --------------------------------------------------------------------------- extractor

# xgettext's Python keywords plus those makemessages adds: name -> (context arg, msgid, plural)
KEYWORDS: dict[str, tuple[int | None, int, int | None]] = {
    "_": (None, 0, None),
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}


def _marked(tree: ast.AST) -> set[tuple[str | None, str, str | None]]:
    found = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name not in KEYWORDS:
            continue
        ctx_i, msg_i, plural_i = KEYWORDS[name]
        wanted = [i for i in (ctx_i, msg_i, plural_i) if i is not None]
        args = node.args
        if len(args) <= max(wanted) or not all(
            isinstance(args[i], ast.Constant) and isinstance(args[i].value, str) for i in wanted
        ):
            continue  # not a literal: xgettext cannot see it either
        found.add(
            (
                args[ctx_i].value if ctx_i is not None else None,  # type: ignore[attr-defined]
                args[msg_i].value,  # type: ignore[attr-defined]
                args[plural_i].value if plural_i is not None else None,  # type: ignore[attr-defined]
            )
        )
    return found


_CALL = re.compile(r"\b(?:npgettext|pgettext|ngettext|gettext|_)\(")


def _template_calls(code: str) -> str:
    """The gettext calls templatize() wrote, one per line, as Python source."""
    calls = []
    for match in _CALL.finditer(code):
        tokens = tokenize.generate_tokens(io.StringIO(code[match.start() :]).readline)
        depth = 0
        for tok in tokens:
            if tok.type == tokenize.OP and tok.string == "(":
                depth += 1
            elif tok.type == tokenize.OP and tok.string == ")":
                depth -= 1
                if depth == 0:
                    lines = code[match.start() :].splitlines(keepends=True)
                    end = sum(len(x) for x in lines[: tok.end[0] - 1]) + tok.end[1]
                    calls.append(code[match.start() : match.start() + end])
                    break
    return "\n".join(calls)


def _ignored(path: Path) -> bool:
    return any(path.is_relative_to(d) for d in IGNORED) or any(
        part.startswith(".") for part in path.relative_to(PACKAGE).parts
    )


def source_messages() -> dict[tuple[str | None, str, str | None], str]:
    """Every string marked for translation under wushe/, with the first file that marks it."""
    found: dict[tuple[str | None, str, str | None], str] = {}
    for path in sorted(PACKAGE.rglob("*")):
        if not path.is_file() or _ignored(path):
            continue
        if path.suffix == ".py":
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        elif path.suffix in (".html", ".txt"):
            code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
            tree = ast.parse(_template_calls(code), filename=str(path))
        else:
            continue
        for key in _marked(tree):
            found.setdefault(key, str(path.relative_to(PACKAGE)))
    return found


# --------------------------------------------------------------------------- placeholders

_PLACEHOLDER = re.compile(
    r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]"  # %(name)s
    r"|%[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]"  # %s, %d
    r"|\{[^{}\s]*\}"  # {name}, {name!r}, {0}
)


def placeholders(text: str) -> list[str]:
    return sorted(_PLACEHOLDER.findall(text.replace("%%", "").replace("{{", "").replace("}}", "")))


# --------------------------------------------------------------------------- tests


@pytest.fixture(scope="module")
def po_entries() -> list[Entry]:
    assert PO.exists(), f"{PO} is missing: run `make messages`"
    return read_po(PO)


def test_header_is_simplified_chinese_with_one_plural_form(po_entries):
    head = header(po_entries)
    assert head["Language"] == "zh_Hans"
    assert head["Content-Type"] == "text/plain; charset=UTF-8"
    assert head["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"
    header_entry = next(e for e in po_entries if e.msgid == "" and e.msgctxt is None)
    assert "fuzzy" not in header_entry.flags, "a fuzzy header is left out of the .mo"


def test_every_entry_is_translated_and_none_is_fuzzy(po_entries):
    entries = messages(po_entries)
    assert entries, "the catalogue is empty"
    fuzzy = [f"line {e.line}: {e.msgid!r}" for e in entries if "fuzzy" in e.flags]
    untranslated = [f"line {e.line}: {e.msgid!r}" for e in entries if not all(e.msgstr.values())]
    assert not fuzzy, "fuzzy entries (check the translation, then drop the flag):\n" + "\n".join(
        fuzzy
    )
    assert not untranslated, "untranslated entries:\n" + "\n".join(untranslated)
    wrong_forms = [
        f"line {e.line}: {e.msgid!r}"
        for e in entries
        if sorted(e.msgstr) != ([0] if e.msgid_plural is None else [0])
    ]
    assert not wrong_forms, "Chinese has one plural form: give msgstr[0] only\n" + "\n".join(
        wrong_forms
    )


def test_translations_keep_every_placeholder(po_entries):
    broken = [
        f"line {e.line}: {e.msgid!r} -> {s!r}"
        for e in messages(po_entries)
        for s in e.msgstr.values()
        if placeholders(s) != placeholders(e.msgid_plural or e.msgid)
        and placeholders(s) != placeholders(e.msgid)
    ]
    assert not broken, "placeholders differ between msgid and msgstr:\n" + "\n".join(broken)


def test_catalogue_has_every_marked_string_and_nothing_else(po_entries):
    in_po = {e.key for e in messages(po_entries)}
    in_source = source_messages()
    missing = sorted(
        (f"{path}: {key[1]!r}" for key, path in in_source.items() if key not in in_po),
    )
    stale = sorted(repr(key[1]) for key in in_po - set(in_source))
    assert not missing, (
        "marked for translation but not in django.po (run `make messages`, translate):\n"
        + "\n".join(missing)
    )
    assert not stale, "in django.po but no longer in the code (run `make messages`):\n" + "\n".join(
        stale
    )


def test_compiled_catalogue_matches_the_po(po_entries):
    assert MO.exists(), f"{MO} is missing: run `wushe compilemessages -l zh_Hans`"
    with MO.open("rb") as fh:
        compiled = stdlib_gettext.GNUTranslations(fh)
    assert compiled.info().get("plural-forms", "").replace(" ", "") == "nplurals=1;plural=0;"
    stale = []
    for e in messages(po_entries):
        if e.msgid_plural is None:
            got = (
                compiled.pgettext(e.msgctxt, e.msgid)
                if e.msgctxt is not None
                else compiled.gettext(e.msgid)
            )
        else:
            got = (
                compiled.npgettext(e.msgctxt, e.msgid, e.msgid_plural, 2)
                if e.msgctxt is not None
                else compiled.ngettext(e.msgid, e.msgid_plural, 2)
            )
        if got != e.msgstr[0]:
            stale.append(f"{e.msgid!r}: .mo has {got!r}, .po has {e.msgstr[0]!r}")
    assert not stale, "django.mo is stale (run compilemessages):\n" + "\n".join(stale)


def test_django_serves_the_po_translations_in_chinese(po_entries):
    wrong = []
    with translation.override("zh-hans"):
        for e in messages(po_entries):
            if e.msgid_plural is None:
                got = (
                    translation.pgettext(e.msgctxt, e.msgid)
                    if e.msgctxt is not None
                    else translation.gettext(e.msgid)
                )
            else:
                got = (
                    translation.npgettext(e.msgctxt, e.msgid, e.msgid_plural, 1)
                    if e.msgctxt is not None
                    else translation.ngettext(e.msgid, e.msgid_plural, 1)
                )
            if got != e.msgstr[0]:
                wrong.append(f"{e.msgid!r}: got {got!r}, expected {e.msgstr[0]!r}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("accept_language", [None, "zh-CN,zh;q=0.9", "zh-Hans"])
def test_login_page_is_chinese_by_default(client, accept_language):
    headers = {"Accept-Language": accept_language} if accept_language else {}
    response = client.get("/login/", headers=headers)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-Hans">' in html
    assert "<h1>登录</h1>" in html
    assert "用户名" in html
    assert "Sign in" not in html


def test_login_page_is_english_on_request(client):
    response = client.get("/login/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "<h1>Sign in</h1>" in html
    assert "登录" not in html
