"""Visible text a template shows without gettext, and the msgids the app's sources hold.

The lint reads a template with Jinja's own lexer: text between tags ('data' tokens) outside
{% trans %} blocks, and the values of the attributes people read (title, placeholder, alt,
aria-label), are visible text; so are string literals in expressions that read as words
('place on the waitlist', a macro's hint="...") unless they are gettext's arguments.
Every Jinja construct stands in for one placeholder character, so an attribute value or a
sentence cut by an expression is read whole."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from jinja2 import Environment

ROOT = Path(__file__).resolve().parents[1]
HOLE = "\x00"  # where a Jinja expression or tag stood
VISIBLE_ATTRIBUTES = {"title", "placeholder", "alt", "aria-label"}
GETTEXT_CALLS = {"_", "gettext", "ngettext", "pgettext", "npgettext", "_l", "lazy_gettext"}
# Intentionally not translated: the network's name, file types, units.
ALLOWED = {"Districts of Creativity", ".ics", "iCal", "webcal://", "PDF", "CSV", "QR", "JSON",
           "UTC", "OK", "Message-ID", "HTML"}
# A Jinja construct inside a tag (`<body{% block body_class %}…>`) leaves the parser a piece
# of the tag as data: markup, not words.
TAG_PIECE = re.compile(r'^<\w|\bclass="')
LETTER = re.compile(r"[^\W\d_]")
TWO_WORDS = re.compile(r"[^\W\d_]{2,}\s+\S*[^\W\d_]{2,}")
CSS_LIKE = re.compile(r"[a-z0-9_\- ]+")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
            "_l": None, "lazy_gettext": None}


@dataclass(frozen=True)
class Offender:
    """Untranslated text and where it is."""

    path: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text!r}"


def _words(text: str) -> str | None:
    """The text a person reads, once holes, entities and space are taken out; None when it
    has no letters or is allowed as it is."""
    shown = " ".join(unescape(text).replace(HOLE, " ").split())
    if not LETTER.search(shown) or TAG_PIECE.search(shown):
        return None
    rest = shown
    for allowed in sorted(ALLOWED, key=len, reverse=True):
        rest = rest.replace(allowed, " ")
    return shown if LETTER.search(rest) else None


class _Page(HTMLParser):
    """Collects visible text and visible attribute values, with their lines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.found: list[tuple[int, str]] = []
        self.hidden = 0  # inside <script> or <style>

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.hidden += 1
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value and (words := _words(value)):
                self.found.append((self.getpos()[0], words))

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden and (words := _words(data)):
            self.found.append((self.getpos()[0] + data[:len(data) - len(data.lstrip())]
                               .count("\n"), words))

    def handle_entityref(self, name):
        pass

    def handle_charref(self, name):
        pass


def _reads_as_words(value: str) -> bool:
    """A string literal that is a phrase ('place on the waitlist'), not CSS classes
    ('badge badge-ok'), an endpoint or a strftime format."""
    return bool(TWO_WORDS.search(value)) and not (CSS_LIKE.fullmatch(value) and "-" in value)


def _stream(source: str) -> tuple[str, list[tuple[int, str]]]:
    """The template as its data with each Jinja construct as one HOLE (newlines kept, so
    lines still match), and the string literals that read as words outside gettext."""
    env = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)  # lexed, never rendered
    out: list[str] = []
    strings: list[tuple[int, str]] = []
    in_trans = 0
    expecting_tag = False
    call_stack: list[bool] = []  # per open parenthesis: is it gettext's
    last_name = None
    tokens = list(env.lex(source))
    for position, (line, kind, value) in enumerate(tokens):
        if kind == "data":
            out.append(HOLE + "\n" * value.count("\n") if in_trans else value)
            continue
        if kind in ("block_begin", "variable_begin"):
            out.append(HOLE)
            expecting_tag = kind == "block_begin"
            continue
        if kind == "name" and expecting_tag:
            expecting_tag = False
            if value == "trans":
                in_trans += 1
            elif value == "endtrans":
                in_trans = max(0, in_trans - 1)
        elif kind == "operator" and value == "(":
            call_stack.append(last_name in GETTEXT_CALLS)
        elif kind == "operator" and value == ")" and call_stack:
            call_stack.pop()
        elif kind == "string" and not any(call_stack) and _reads_as_words(value[1:-1]):
            following = next((t for t in tokens[position + 1:] if t[1] != "whitespace"), None)
            is_key = following is not None and following[2] == ":"  # {'former member': ...}
            if not is_key and (words := _words(value[1:-1])):
                strings.append((line, words))
        last_name = value if kind == "name" else None
        out.append("\n" * str(value).count("\n") if kind in ("whitespace", "string") else "")
    return "".join(out), strings


def template_offenders(source: str, path: str) -> list[Offender]:
    """Visible text of one template (HTML, or plain text for .txt) outside gettext."""
    stream, strings = _stream(source)
    if path.endswith(".txt"):
        found = [(number, words) for number, text in enumerate(stream.split("\n"), start=1)
                 if (words := _words(text))]
    else:
        page = _Page()
        page.feed(stream)
        page.close()
        found = page.found
    return sorted({Offender(path, line, text) for line, text in [*found, *strings]},
                  key=lambda o: (o.line, o.text))


def all_template_offenders() -> list[Offender]:
    """template_offenders over every template of the app."""
    found: list[Offender] = []
    for template in sorted((ROOT / "templates").rglob("*")):
        if template.suffix in (".html", ".txt"):
            path = template.relative_to(ROOT).as_posix()
            found += template_offenders(template.read_text(encoding="utf-8"), path)
    return found


def extracted_messages() -> dict[str | tuple[str, str], set[str]]:
    """Every msgid the app's sources hold (as `pybabel extract -F babel.cfg -k _l` finds
    them), with the files it comes from. A plural's key is (singular, plural)."""
    method_map, options_map = parse_mapping_cfg(StringIO((ROOT / "babel.cfg").read_text()))
    messages: dict[str | tuple[str, str], set[str]] = {}
    for filename, _line, message, _comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True):
        if context is not None:
            message = message if isinstance(message, str) else tuple(message)
        key = message if isinstance(message, str) else tuple(message[:2])
        if key and key != ("", ""):
            messages.setdefault(key, set()).add(Path(filename).as_posix())
    return messages
