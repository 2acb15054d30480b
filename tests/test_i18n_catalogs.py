"""The shipped catalogs (webapp/translations) against the texts the sources hold: Danish
translates every msgid, the public-side languages every msgid of the public side's files
(webapp.i18n.scope.PUBLIC_SOURCES); nothing fuzzy; placeholders kept. And no template shows
text outside gettext. Both skip only while no catalog is shipped at all."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from tests.i18n_lint import all_template_offenders, extracted_messages, template_offenders
from webapp.i18n import LANGUAGE_NAMES
from webapp.i18n.catalogs import TRANSLATIONS_DIR, catalog_sources
from webapp.i18n.scope import is_public_source

CATALOGS = catalog_sources(TRANSLATIONS_DIR)
needs_catalogs = pytest.mark.skipif(
    not CATALOGS, reason="no catalog shipped yet in webapp/translations (the lead builds them)")
# Every language of the switcher but English, once their catalogs are shipped.
LANGUAGES = [code for code in LANGUAGE_NAMES if code != "en"]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]|\{(\w+)\}")


def placeholders(text: str) -> list[str]:
    """The placeholders of a text, sorted (named ones by name, positional as '%')."""
    return sorted(match.group(1) or match.group(2) or "%" for match in
                  PLACEHOLDER.finditer(text))


@pytest.fixture(scope="module")
def messages():
    """The msgids extracted now from the sources, with the files each comes from."""
    return extracted_messages()


def _catalog(code: str):
    """A shipped catalog, read."""
    with CATALOGS[code].open("rb") as source:
        return read_po(source, locale=code)


@needs_catalogs
@pytest.mark.parametrize("code", LANGUAGES)
def test_each_language_is_shipped_and_complete(code, messages):
    """Danish: every msgid; the others: those of the public side's files."""
    assert code in CATALOGS, f"no catalog for {code}"
    catalog = _catalog(code)
    missing = []
    for key, files in sorted(messages.items(), key=lambda item: str(item[0])):
        if code != "da" and not any(is_public_source(path) for path in files):
            continue
        message = catalog.get(key[0] if isinstance(key, tuple) else key)
        strings = (message.string if isinstance(message.string, tuple) else (message.string,)
                   ) if message is not None else ("",)
        if not all(strings):
            missing.append(f"{sorted(files)[0]}: {key!r}")
    assert missing == [], f"{code}: {len(missing)} msgids untranslated:\n" + "\n".join(missing)


@needs_catalogs
@pytest.mark.parametrize("code", sorted(CATALOGS))
def test_no_fuzzy_entries_and_placeholders_kept(code):
    """A fuzzy entry is left out when compiled (English shown); a dropped or renamed
    %(name)s breaks the page or loses the value."""
    catalog = _catalog(code)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        if isinstance(message.id, tuple):
            wanted = set(placeholders(message.id[0])) | set(placeholders(message.id[1]))
            forms = [s for s in message.string if s]
            if any(not set(placeholders(form)) <= wanted for form in forms) or (
                    forms and placeholders(forms[-1]) != placeholders(message.id[1])):
                problems.append(f"placeholders: {message.id!r} → {message.string!r}")
        elif message.string and placeholders(message.string) != placeholders(message.id):
            problems.append(f"placeholders: {message.id!r} → {message.string!r}")
    assert problems == [], f"{code}:\n" + "\n".join(problems)


@needs_catalogs
def test_no_template_shows_untranslated_text():
    """Visible text outside gettext, listed as file:line."""
    offenders = all_template_offenders()
    assert offenders == [], f"{len(offenders)} untranslated texts:\n" + "\n".join(
        map(str, offenders))


def test_the_lint_finds_text_attributes_and_phrases_outside_gettext():
    """What the lint counts as visible (and what it leaves alone), with its lines."""
    source = (
        '<p>Hello {{ name }}, welcome</p>\n'
        '<p>{{ _("Hi") }} &middot; {{ count }}</p>\n'
        '<img alt="Logo of it" src="{{ url }}"><input placeholder="{{ _(\'Search\') }}">\n'
        '{% trans trimmed n=1 %}Untouched {{ n }} text{% endtrans %}\n'
        '{{ field(f, hint="Leave it empty.") }} {{ _("Keep") }}\n'
        '<span class="{{ \'badge badge-ok\' }}">{{ \'seat\' if a else \'place on the list\' }}'
        '</span>\n'
        '<script>var x = "hello world";</script> Districts of Creativity · .ics\n')
    found = [(o.line, o.text) for o in template_offenders(source, "t.html")]
    assert found == [(1, "Hello , welcome"), (3, "Logo of it"), (5, "Leave it empty."),
                     (6, "place on the list")]
    text = template_offenders("Dear {{ name }},\n{{ _('Thanks') }}\n{{ link }}\n", "t.txt")
    assert [(o.line, o.text) for o in text] == [(1, "Dear ,")]


def test_the_sources_hold_msgids_with_their_files(messages):
    """Extraction (babel.cfg, with _l) finds the navigation's texts in base.html."""
    assert "templates/base.html" in messages["Home"]
