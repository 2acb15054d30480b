"""Languages: which one a page, an email or a document is written in (Flask-Babel).

The choice, first that applies: the person's saved preference (a view that knows the person
calls `use_language`), a `?lang=` choice kept in the session, the browser's Accept-Language,
the forum's own default language (`use_forum_language`), English. Only languages whose
catalog the app ships are offered, and on each page only the page's own: English and Danish
cover every page, the others the public side (webapp.i18n.scope). A choice the page does not
offer falls through to the next one.

Emails are written in their recipient's language (`mail_language`, Flask-Babel's
force_locale per message), whether queued now or written by the mail worker at delivery.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, current_app, g, has_request_context, request, session, url_for
from flask_babel import Babel, force_locale, get_locale, refresh

from webapp.i18n.catalogs import TRANSLATIONS_DIR, catalog_sources, compile_catalogs
from webapp.i18n.scope import EVERYWHERE, is_public_endpoint

# The languages the app can be written in, each named in itself (the switcher's labels).
LANGUAGE_NAMES = {
    "en": "English", "da": "Dansk", "de": "Deutsch", "fr": "Français", "es": "Español",
    "ca": "Català", "nl": "Nederlands", "it": "Italiano", "pt_BR": "Português (Brasil)",
    "zh_Hans": "简体中文", "fi": "Suomi",
}
DEFAULT_LANGUAGE = "en"
SESSION_KEY = "lang"


def shipped() -> list[str]:
    """English and every language with a catalog shipped, in the switcher's order (found
    once, at start: see init_app)."""
    return current_app.extensions["shipped_languages"]


def available_languages() -> list[str]:
    """The shipped languages this page is offered in: all of them on the public side,
    English and Danish elsewhere (and everywhere outside a request: emails, documents)."""
    languages = shipped()
    if has_request_context() and not is_public_endpoint(request.endpoint):
        return [code for code in languages if code in EVERYWHERE]
    return languages


def _match(code: str | None, languages: list[str]) -> str | None:
    """`code` when it is one of `languages` (case and '-' forgiven), else None."""
    if not code:
        return None
    wanted = code.replace("-", "_").lower()
    return next((lang for lang in languages if lang.lower() == wanted), None)


def supported(code: str | None) -> str | None:
    """`code` when it is a language this page is offered in, else None."""
    return _match(code, available_languages())


def shipped_code(code: str | None) -> str:
    """`code` when the app ships it (any page's language), else English: for what is kept
    (a registration's choice) and what is written outside a page (emails)."""
    return _match(code, shipped()) or DEFAULT_LANGUAGE


def recipient_language(own: str | None, forum_default: str | None = None) -> str:
    """The language to write to a person in: their own choice, else their forum's default,
    else English (a language no longer shipped counts as none)."""
    for code in (own, forum_default):
        if _match(code, shipped()):
            return shipped_code(code)
    return DEFAULT_LANGUAGE


def registration_language(registration) -> str:
    """recipient_language for a registration (its own choice, then its forum's default)."""
    return recipient_language(registration.language, registration.event.default_language)


@contextmanager
def mail_language(code: str | None) -> Iterator[str]:
    """Write what follows (an email's subject and bodies, its dates) in `code`, whatever the
    page's language; Flask-Babel keeps a request's language in `g`, so this overrides it for
    the block only. Yields the language used."""
    language = shipped_code(code)
    with force_locale(language):
        yield language


def use_language(code: str | None) -> None:
    """The person this request is about chose a language (saved with their registration)."""
    g.person_language = supported(code)
    refresh()  # Flask-Babel keeps the language it chose first for this request


def use_forum_language(code: str | None) -> None:
    """The forum this page belongs to writes by default in `code`."""
    g.forum_language = supported(code)
    refresh()


def request_language(own: str | None = None, forum: str | None = None) -> str:
    """The language of this request, in the order the module docstring gives, for a person
    who chose `own` on a forum that writes in `forum` (a plain answer: Flask-Babel's choice
    is select_language, below; a feed's 304 needs no more than this)."""
    languages = available_languages()
    chosen = _match(own, languages) or _match(session.get(SESSION_KEY), languages)
    if chosen:
        return chosen
    browser = request.accept_languages.best_match([code.replace("_", "-") for code in languages])
    return _match(browser, languages) or _match(forum, languages) or DEFAULT_LANGUAGE


def select_language() -> str:
    """Flask-Babel's locale selector: request_language for the person and forum the view
    named (use_language, use_forum_language)."""
    if not has_request_context():  # the mail worker: the recipient's language or English
        return getattr(g, "person_language", None) or DEFAULT_LANGUAGE
    return request_language(g.get("person_language"), g.get("forum_language"))


def language_tag(code: str) -> str:
    """The BCP 47 tag of a language code, for `<html lang>` and hreflang: pt_BR → pt-BR."""
    return code.replace("_", "-")


def language_links() -> list[dict[str, str]]:
    """This page in each available language (none when English is the only one)."""
    languages = available_languages()
    if len(languages) < 2 or not has_request_context() or request.endpoint is None:
        return []
    args = {**request.view_args, **request.args.to_dict()}
    return [{"code": code, "name": LANGUAGE_NAMES[code], "tag": language_tag(code),
             "url": url_for(request.endpoint, **{**args, SESSION_KEY: code}, _external=True)}
            for code in languages]


def _page_language() -> dict[str, object]:
    """What base.html needs: the page's language tag and the switcher's links."""
    return {"page_language": language_tag(str(get_locale())), "language_links": language_links}


def _keep_language_choice() -> None:
    """`?lang=xx` on any page: remember the choice for the rest of the visit."""
    code = supported(request.args.get(SESSION_KEY))
    if code:
        session[SESSION_KEY] = code


def init_app(app: Flask) -> None:
    """Compile the catalogs if their sources changed, then choose per request. Tests may
    point TRANSLATIONS_DIR at catalogs of their own."""
    directory = Path(app.config.setdefault("TRANSLATIONS_DIR", str(TRANSLATIONS_DIR)))
    compile_catalogs(directory)
    catalogs = catalog_sources(directory)
    app.extensions["shipped_languages"] = [
        code for code in LANGUAGE_NAMES if code == DEFAULT_LANGUAGE or code in catalogs]
    # One Babel per app: Flask-Babel caches the loaded catalogs on it by language alone, so a
    # shared one would hand an app another app's catalogs (tests make many apps).
    Babel().init_app(app, locale_selector=select_language,
                     default_translation_directories=str(directory))
    app.before_request(_keep_language_choice)
    app.context_processor(_page_language)
