"""Languages: Simplified Chinese first, English selectable (Flask-Babel).

The choice is, in order: a `lang` cookie set by the language switch, the browser's Accept-Language,
then zh_CN.
"""
from __future__ import annotations

from flask import Flask, current_app, request

from competition.extensions import babel
from competition.paths import TRANSLATIONS

LANG_COOKIE = "lang"


def select_locale() -> str:
    languages = current_app.config["COMPETITION_LANGUAGES"]
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in languages:
        return chosen
    match = request.accept_languages.best_match(["zh_CN", "zh", "en"])
    if match and match.startswith("en"):
        return "en"
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(TRANSLATIONS))
