"""How long the code is valid, as templates say it: ``{{validity}}`` and ``{{validityMinutes}}``.

Logto lets each tenant set the code's expiry (60–3600 s) and does not send it,
so the gateway is told by a setting (``SMS_CODE_VALIDITY_MINUTES``) and gives
templates two placeholders:

- ``{{validityMinutes}}``: the number alone (``10``);
- ``{{validity}}``: the duration in the template's language with its plural
  (CLDR, through Babel): ``10 minutes``, ``10 Minuten``, ``5 минут``,
  ``2 минуты``, ``10分钟``. It is the form that follows "valid for" / "expires
  in": where a language marks that case on the noun, the singular is given in
  it (ru ``1 минуту``, uk ``1 хвилину``, pl ``1 minutę``, cs ``1 minutu``, ar
  genitive dual ``دقيقتين``); Persian in its own digits (``۱۰ دقیقه``).

Pure: the same minutes and locale always give the same text.
"""

from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.units import format_unit

MIN_MINUTES = 1
MAX_MINUTES = 60  # Logto's own range: 60 to 3600 seconds

PLACEHOLDER = "validity"
MINUTES_PLACEHOLDER = "validityMinutes"
ROOTS = frozenset({PLACEHOLDER, MINUTES_PLACEHOLDER})

# The singular after "valid for" where the language declines it: (nominative, object form).
_OBJECT_FORM = {
    "ru": ("минута", "минуту"),
    "uk": ("хвилина", "хвилину"),
    "pl": ("minuta", "minutę"),
    "cs": ("minuta", "minutu"),
    "ar": ("دقيقتان", "دقيقتين"),
}
# Persian writes its own digits (the code itself stays as Logto sends it).
_DIGITS = {"fa": str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")}
# Languages written without a space between a number and its unit.
_NO_SPACE = frozenset({"ja"})
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " "})  # non-breaking spaces are not GSM-7


def _babel_locale(locale: str) -> Locale | None:
    tag = locale.replace("-", "_")
    for candidate in (tag, tag.split("_")[0]):
        try:
            return Locale.parse(candidate)
        except (UnknownLocaleError, ValueError):
            continue
    return None


@lru_cache(maxsize=4096)
def phrase(minutes: int, locale: str) -> str:
    """``10`` minutes in ``fr`` -> ``10 minutes``; an unknown language gets ``10 min``."""
    babel_locale = _babel_locale(locale)
    if babel_locale is None:
        return f"{minutes} min"
    text = format_unit(minutes, "duration-minute", length="long", locale=babel_locale)
    text = text.translate(_SPACES)
    language = babel_locale.language
    if language in _OBJECT_FORM:
        nominative, object_form = _OBJECT_FORM[language]
        text = text.replace(nominative, object_form)
    if language in _NO_SPACE:
        text = text.replace(" ", "")
    return text.translate(_DIGITS[language]) if language in _DIGITS else text


def values(minutes: int, locale: str) -> dict[str, str]:
    """The placeholder values for one SMS."""
    return {PLACEHOLDER: phrase(minutes, locale), MINUTES_PLACEHOLDER: str(minutes)}
