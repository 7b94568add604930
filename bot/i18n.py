"""Message catalogs (Babel .po files under ``locales/``), and locale-aware formatting.

Catalogs: every ``locales/<lang>/LC_MESSAGES/*.po`` is read and merged, so each feature can keep
its own catalog file. The English source text is the message id; Vietnamese is the default
language. A :class:`Translator` is made once per event for the reader's locale and carried with
the event; there is no global "current locale".

Messages are written in the bot's own markup (:mod:`bot.core.richtext`: ``*bold*``, ``_italic_``,
```code```, ``[label](url)``), which each transport renders. Parameters given to
:meth:`Translator._` are escaped for that markup unless wrapped in :class:`Safe`, so a name such
as ``*Tý*`` or ``<b>Tý</b>`` shows as typed on every platform and cannot break the message.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_skeleton, format_time
from babel.lists import format_list
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.units import format_unit

from bot.core import richtext

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
# Each language by its own name, the same in every locale (what the /language buttons show).
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
PLACEHOLDER = re.compile(r"\{([a-zA-Z_][a-zA-Z0-9_]*)\}")


class Safe(str):
    """Text that is already markup (see :mod:`bot.core.richtext`) and must not be escaped."""


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


def escape(text: str) -> Safe:
    """Text people typed, as markup that shows it exactly (see :func:`bot.core.richtext.escape`)."""
    return Safe(richtext.escape(text))


Catalog = dict[str | tuple[str, str], str | tuple[str, ...]]
# A message's words for one kind of platform (``msgctxt`` in the .po files) are kept under
# ``<context>`` + CONTEXT_SEP + ``<message id>`` (gettext's own separator).
CONTEXT_SEP = "\x04"
# The wording of platforms without buttons or shared locations (Zalo): options are typed as
# numbers, places as text. A transport that is such a platform says so (see CoreConfig).
TYPED = "typed"
# The wording of a platform that takes text alone (the console chat: no photo, voice message or
# location can be sent there): its own words where a message offers those, else TYPED's.
TEXT_ONLY = "textonly"
# The contexts tried, in turn, for each kind of platform's wording.
WORDING_CONTEXTS: dict[str, tuple[str, ...]] = {TEXT_ONLY: (TEXT_ONLY, TYPED)}
# The words for a reader who is staff (team leaders, officers: "đồng chí") where a message is
# written for residents ("anh/chị") and has a ``msgctxt "staff"`` entry; tried before the
# platform's words.
STAFF = "staff"


@cache
def load_catalog(language: str) -> Catalog:
    """All messages of one language, merged from its .po files (first file wins on conflict)."""
    merged: Catalog = {}
    folder = LOCALES_DIR / language / "LC_MESSAGES"
    for po_path in sorted(folder.glob("*.po")):
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        for message in catalog:
            if not message.id or message.fuzzy:
                continue
            key: str | tuple[str, str] = (
                (str(message.id[0]), str(message.id[1]))
                if isinstance(message.id, tuple | list)
                else str(message.id)
            )
            if message.context:
                key = (
                    (message.context + CONTEXT_SEP + key[0], key[1])
                    if isinstance(key, tuple)
                    else message.context + CONTEXT_SEP + key
                )
            value = message.string
            if isinstance(value, tuple | list):
                if all(value):
                    merged.setdefault(key, tuple(str(v) for v in value))
            elif value:
                merged.setdefault(key, str(value))
    return merged


def pick_language(telegram_code: str | None) -> str:
    """A new person's language: Vietnamese unless their app speaks something else."""
    if not telegram_code:
        return DEFAULT_LANGUAGE
    return "vi" if telegram_code.lower().startswith("vi") else "en"


class Translator:
    """Messages in one language, for one reader. ``wording``: the kind of platform the reader
    is on (:data:`TYPED`, or None for the default words): a message that has its own words for
    it in the catalogs (``msgctxt``) takes those. ``staff``: the reader is addressed as staff
    (:data:`STAFF` entries first)."""

    def __init__(
        self,
        language: str,
        tz: ZoneInfo | None = None,
        *,
        wording: str | None = None,
        staff: bool = False,
    ) -> None:
        self.language = language if language in LANGUAGES else DEFAULT_LANGUAGE
        self.locale = Locale.parse(self.language)
        self.tz = tz or ZoneInfo("Asia/Ho_Chi_Minh")
        self.wording = wording
        self.staff = staff
        worded = WORDING_CONTEXTS.get(wording, (wording,)) if wording else ()
        self._contexts = ((STAFF,) if staff else ()) + worded
        self._catalog = load_catalog(self.language)

    @property
    def typed(self) -> bool:
        """The reader's platform has no buttons: options are typed as numbers (:data:`TYPED`)."""
        return TYPED in self._contexts

    @property
    def takes_media(self) -> bool:
        """The reader's platform can send photos, voice messages and locations (not
        :data:`TEXT_ONLY`'s): a prompt offers them only then."""
        return TEXT_ONLY not in self._contexts

    def _lookup(self, message: str) -> str:
        for context in self._contexts:
            worded = self._catalog.get(context + CONTEXT_SEP + message)
            if isinstance(worded, str):
                return worded
        translated = self._catalog.get(message, message)
        return translated if isinstance(translated, str) else message

    def _(self, message: str, /, **params: object) -> str:
        """Translate ``message`` and fill its ``{placeholders}``."""
        return self._fill(self._lookup(message), params)

    def plain(self, message: str, /, **params: object) -> str:
        """Translate for a place that shows plain text (a button label): nothing is escaped."""
        safe = {k: v if not isinstance(v, str) else Safe(v) for k, v in params.items()}
        return self._fill(self._lookup(message), safe)

    def _n(self, singular: str, plural: str, count: int, /, **params: object) -> str:
        """Translate with a plural form chosen for ``count`` (Vietnamese has one form)."""
        forms = None
        for context in self._contexts:
            forms = self._catalog.get((context + CONTEXT_SEP + singular, plural))
            if isinstance(forms, tuple):
                break
        if not isinstance(forms, tuple):
            forms = self._catalog.get((singular, plural))
        index = 0 if self.language == "vi" else (0 if count == 1 else 1)
        if isinstance(forms, tuple) and forms:
            text = forms[min(index, len(forms) - 1)]
        else:
            text = singular if count == 1 else plural
        return self._fill(text, {"count": count, **params})

    def _fill(self, text: str, params: dict[str, object]) -> str:
        if not params:
            return text
        return PLACEHOLDER.sub(lambda m: self._value(params, m.group(1), m.group(0)), text)

    def _value(self, params: dict[str, object], name: str, raw: str) -> str:
        if name not in params:
            return raw
        value = params[name]
        if isinstance(value, Safe):
            return str(value)
        if isinstance(value, bool):
            return str(value)
        if isinstance(value, int | float | Decimal):
            return self.number(value)
        if isinstance(value, datetime):
            return self.when(value)
        if isinstance(value, date):
            return self.day(value)
        return richtext.escape(str(value))

    # Formatting for the reader's locale -------------------------------------------------
    def number(self, value: int | float | Decimal) -> str:
        return format_decimal(value, locale=self.locale)

    def percent(self, fraction: float) -> str:
        return format_percent(fraction, format="#,##0.#%", locale=self.locale)

    def day(self, value: date | datetime) -> str:
        """A calendar day, e.g. 21/11/2026 in Vietnamese, Nov 21, 2026 in English."""
        if isinstance(value, datetime):
            value = value.astimezone(self.tz).date()
        pattern = "dd/MM/yyyy" if self.language == "vi" else "medium"
        return format_date(value, format=pattern, locale=self.locale)

    def when(self, value: datetime) -> str:
        """A moment in local time, e.g. 19:30 21/11/2026."""
        local = value.astimezone(self.tz)
        return f"{format_time(local, format='HH:mm', locale=self.locale)} {self.day(local)}"

    def day_month(self, day: int, month: int) -> str:
        """A day of the (solar) year without the year: "19 tháng 8", "August 19"."""
        return format_skeleton("MMMMd", date(2000, month, day), locale=self.locale)

    def long_date(self, value: date) -> str:
        return format_date(value, format="long", locale=self.locale)

    def duration(self, value: timedelta) -> str:
        """Hours and minutes in words, leaving out a zero part: "1 phút", "2 giờ 30 phút" in
        Vietnamese, "1 min", "2 hr 30 min" in English (rounded down to the minute)."""
        minutes = max(0, int(value.total_seconds() // 60))
        hours, minutes = divmod(minutes, 60)
        parts = []
        if hours:
            parts.append(format_unit(hours, "duration-hour", length="short", locale=self.locale))
        if minutes or not hours:
            parts.append(
                format_unit(minutes, "duration-minute", length="short", locale=self.locale)
            )
        return format_list(parts, style="unit-narrow", locale=self.locale)

    def language_name(self, code: str | None) -> str:
        """A language code as its name ("vi" → "Tiếng Việt"); an unknown code as it is."""
        if not code:
            return "-"
        return LANGUAGE_NAMES.get(code, code)

    def timestamp(self, value: datetime) -> str:
        return format_datetime(value.astimezone(self.tz), format="short", locale=self.locale)
