"""Every message a person reads keeps the register of address and the words the team agreed on
(README, "Words and register"): read from the catalogs themselves, the way the bot loads them."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.core.permissions import LEADERS
from bot.features import build_registry
from bot.i18n import LOCALES_DIR

# Buttons in the person's own voice ("✅ Tôi đồng ý"), the household's pledge ("Chúng tôi cam kết")
# and the prompt that names such a button: there "tôi" is the reader, not the bot.
OWN_VOICE = {
    "✅ I agree",
    "🗑 Yes, delete my data",
    "✅ I am taking part",
    "✖️ I am not",
    "🙅 I can't make it",
    "*{title}* · {audience}\nWe pledge to:",
    "Yes, list us",
    "Me: {name}",
    "🤐 I'd rather not say",
    "🙋 Me",
    "Here I need the place as text or a shared location (📎 → Location). Or press “I'd rather not "
    "say”.",
    "Who mediates? Press “Me”, or type part of the name of a team leader or a member of the "
    "mediation team.",
}
# Catalogs whose "báo cáo" is a report sent up the hierarchy (the draft summary report, its
# download, the delivery report an officer gets); everywhere else a resident's report is "tin báo".
REPORTS_UP = {"summary.po", "figures.po", "exports.po", "broadcasts.po"}

# Messages of staff-only screens that are posted to a group of residents or sent to a resident:
# there the resident's register ("bà con", "anh/chị", the bot as "em") is the right one.
TO_RESIDENTS = {
    "Hello, neighbours! I am *Xóm An Toàn*, the safety assistant of the commune police. In "
    "this group I post safety reminders and answer commands such as /help. Anything personal "
    "(registering, the household pledge, reporting an incident) is done in a private chat with me, "
    "so nothing about you is shown here.\n\nCommune police: please link this group to its area "
    "with /linkgroup.",
    "This group is now the group of *{area}*. Residents can register with the button below.",
    "A reminder from your team leader: your household has not signed *{title}* yet. It takes "
    "two minutes: press /pledge. The campaign is open until {end}. If someone in your household "
    "already signed, press /pledge and give the same name and address so I know.",
}
# One name for the commune's areas: "thôn, tổ dân phố" (not "thôn, xóm" nor a bare "thôn, tổ").
AREA_WORDS = re.compile(r"thôn, (xóm|tổ(?! dân phố))", re.IGNORECASE)
# A report with its code or number is a "tin báo" on every screen (the patrol's included).
REPORT_BY_CODE = re.compile(r"phản ánh (\{code\}|#)", re.IGNORECASE)
ROOTS = ("bot", "scheduler")
# Since 1 July 2025 a province has communes (xã, phường, đặc khu) and no districts.
DISTRICT = re.compile(r"\b(huyện|quận|thị xã)\b", re.IGNORECASE)
# Commune police as any commune's: "Công an xã, phường" (a ward's residents read it too). The draft
# summary report keeps "Công an xã": the officer writes the commune's own name there.
COMMUNE_POLICE = re.compile(r"Công an xã(?!, phường)", re.IGNORECASE)
OWN_NAME_IN_REPORT = {"summary.po"}

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
BAN = re.compile(r"\bbạn\b", re.IGNORECASE)
TOI = re.compile(r"\btôi\b", re.IGNORECASE)
EM = re.compile(r"\bem\b", re.IGNORECASE)
# Words that only a Vietnamese sentence has (names, places and legal titles have none of them).
VIETNAMESE_SENTENCE = re.compile(
    r"(^|\W)(Dạ|Xin chào|anh/chị|bà con|đồng chí|vui lòng|của|không|được|những|các|và|đã|chưa|"
    r"cho|với|này|em)(\W|$)",
    re.IGNORECASE,
)


def _messages(language: str) -> list[tuple[str, str, list[str]]]:
    """(file, msgid, what a reader of ``language`` sees: the translations, else the ids); a
    message's words for one kind of platform (``msgctxt``) are read like the others."""
    return [(file, msgid, shown) for file, _, msgid, shown in _entries(language)]


def _entries(language: str) -> list[tuple[str, str, str, list[str]]]:
    """(file, msgctxt or "", msgid, what a reader sees) of every message of ``language``."""
    found = []
    for path in sorted((LOCALES_DIR / language / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        for message in catalog:
            if not message.id:
                continue
            ids = [message.id] if isinstance(message.id, str) else list(message.id)
            strings = [message.string] if isinstance(message.string, str) else list(message.string)
            shown = strings if all(strings) else ids
            context = str(message.context or "")
            found.append((Path(path).name, context, str(ids[0]), [str(s) for s in shown]))
    return found


def english_commands() -> set[str]:
    return {c.name for f in build_registry().features for c in f.commands if c.name != c.alias}


def vietnamese_commands() -> set[str]:
    return {c.alias for f in build_registry().features for c in f.commands if c.name != c.alias}


def _command_pattern(names: set[str]) -> re.Pattern[str]:
    return re.compile(r"/(" + "|".join(sorted(names, key=len, reverse=True)) + r")\b")


def _msgids(source: str) -> set[str]:
    """The message ids marked in a module: the first argument of _(), _n(), N_() and plain()."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        first = node.args[0]
        if name in {"_", "_n", "N_", "plain"} and isinstance(first, ast.Constant):
            found.update([first.value] if isinstance(first.value, str) else [])
    return found


def _imported_modules(source: str) -> set[str]:
    """The bot modules a module imports (``from a.b import c`` names ``a.b`` and ``a.b.c``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def staff_screen_msgids() -> set[str]:
    """Messages that staff screens show: those of modules whose every command and button is gated
    to team leaders and officers (read from the registry, wherever the modules live), and of the
    screens and texts modules of the features (``bot/features/<feature>/screens*.py`` that a
    wiring module dispatches to, ``texts.py``) that only such modules import (a service's
    messages go to other people: they are not the screen's). A message such a screen shares
    with residents' screens must suit both, so it is impersonal."""
    gated: dict[str, set[bool]] = {}
    for feature in build_registry().features:
        entries = [(c.handler.__module__, c.roles) for c in feature.commands]
        entries += [(a.handler.__module__, a.roles) for a in feature.actions.values()]
        for module, roles in entries:
            gated.setdefault(module, set()).add(roles <= LEADERS)
    staff = {module for module, kinds in gated.items() if kinds == {True}}
    root = Path(__file__).resolve().parents[2]
    modules = {
        ".".join(path.relative_to(root).with_suffix("").parts): path
        for top in ROOTS
        for path in (root / top).rglob("*.py")
    }
    importers: dict[str, set[str]] = {}
    for module, path in modules.items():
        for imported in _imported_modules(path.read_text(encoding="utf-8")) & modules.keys():
            importers.setdefault(imported, set()).add(module)
    # A screens or texts module no command or button names directly is staff-only when every
    # module that imports it is (followed until nothing changes).
    features = {
        m
        for m in modules
        if m.startswith("bot.features.")
        and m.count(".") == 3
        and (m.rsplit(".", 1)[1].startswith("screens") or m.endswith(".texts"))
    }
    changed = True
    while changed:
        changed = False
        for module in features - gated.keys() - staff:
            if importers.get(module) and importers[module] <= staff:
                staff.add(module)
                changed = True
    staff_files = {
        Path(str(importlib.import_module(module).__file__)).resolve() for module in staff
    }
    in_staff: set[str] = set()
    for path in (p for top in ROOTS for p in (root / top).rglob("*.py")):
        if path.resolve() in staff_files:
            in_staff.update(_msgids(path.read_text(encoding="utf-8")))
    return in_staff


def vi_problems(staff_screens: set[str] | None = None) -> list[str]:
    command = _command_pattern(english_commands())
    staff = staff_screen_msgids() if staff_screens is None else staff_screens
    problems = []
    for file, msgid, texts in _messages("vi"):
        for text in texts:
            where = f"{file}: {msgid[:60]!r} -> {text[:80]!r}"
            residents_register = (
                "anh/chị" in text.lower() or EM.search(text) or text.startswith("Dạ")
            )
            if residents_register and msgid in staff and msgid not in TO_RESIDENTS:
                problems.append(f"resident's register on a staff screen in {where}")
            if AREA_WORDS.search(text):
                problems.append(f"area not named 'thôn, tổ dân phố' in {where}")
            if REPORT_BY_CODE.search(text):
                problems.append(f"a report by its code is a 'tin báo' in {where}")
            if BAN.search(text):
                problems.append(f"'bạn' in {where}")
            if TOI.search(text) and msgid not in OWN_VOICE:
                problems.append(f"'tôi' for the bot in {where}")
            if "đồng chí" in text.lower() and ("anh/chị" in text.lower() or EM.search(text)):
                problems.append(f"'đồng chí' mixed with 'anh/chị'/'em' in {where}")
            if found := command.search(text):
                problems.append(f"English command {found.group(0)} in {where}")
            if ISO_DATE.search(text):
                problems.append(f"ISO date in {where}")
            if DISTRICT.search(text):
                problems.append(f"a district (no more since 1 July 2025) in {where}")
            if file not in OWN_NAME_IN_REPORT and COMMUNE_POLICE.search(text):
                problems.append(f"commune police not named 'Công an xã, phường' in {where}")
            if file not in REPORTS_UP and "báo cáo" in text.lower():
                problems.append(f"'báo cáo' for a resident's report in {where}")
    return problems


def test_every_vietnamese_message_keeps_one_register_and_the_vietnamese_commands() -> None:
    assert vi_problems() == []


def test_no_vietnamese_sentence_in_english_mode() -> None:
    problems = []
    alias = _command_pattern(vietnamese_commands())
    for file, _msgid, texts in _messages("en"):
        for text in texts:
            if found := alias.search(text):
                problems.append(f"{file}: Vietnamese command {found.group(0)} in {text[:80]!r}")
            if found := VIETNAMESE_SENTENCE.search(text):
                problems.append(f"{file}: {found.group(2)!r} in {text[:80]!r}")
            if ISO_DATE.search(text):
                problems.append(f"{file}: ISO date in {text[:80]!r}")
    assert problems == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Cảm ơn bạn đã báo tin.", "'bạn'"),
        ("Dạ, tôi đã lưu.", "'tôi'"),
        ("Đồng chí bấm /pledge để ký.", "English command /pledge"),
        ("Mở từ ngày 2026-12-03.", "ISO date"),
        ("Đồng chí vui lòng đợi, em sẽ gửi.", "mixed"),
        ("Dạ, đã lưu ghi chú.", "staff screen"),
        ("Đã chuyển thành phản ánh {code}.", "'tin báo'"),
        ("Gửi đến thôn, tổ nào?", "'thôn, tổ dân phố'"),
        ("Bà con thôn, xóm chưa ký.", "'thôn, tổ dân phố'"),
        ("Chọn huyện của thôn, tổ dân phố.", "district"),
        ("Vui lòng liên hệ Công an xã.", "'Công an xã, phường'"),
    ],
)
def test_the_checks_catch_what_the_issue_names(
    monkeypatch: pytest.MonkeyPatch, text: str, problem: str
) -> None:
    monkeypatch.setattr(
        __import__(__name__, fromlist=["_messages"]),
        "_messages",
        lambda language: [("reports.po", "Some message", [text])],
    )
    assert any(problem in found for found in vi_problems(staff_screens={"Some message"}))


def test_staff_screens_are_found_from_the_permissions() -> None:
    staff = staff_screen_msgids()
    # the rating's prompts, a prompt of the household register, one shared with the pledge
    assert "A note is required here: please say why, in a few words." in staff
    assert "The name of the *head of household*?" in staff
    assert "Please type the answer as text, or /cancel." in staff
    # shown to residents: the report flow, /mydata, a patrol member's confirmation
    assert "Is it happening right now?" not in staff
    assert "I store nothing about you." not in staff
    assert "Thank you: your participation is confirmed." not in staff


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_message_in_several_catalogs_has_one_translation(language: str) -> None:
    """The catalogs are merged and the first file wins: a second translation of the same message
    would never be shown, and the reader would get the other one's register or words."""
    seen: dict[tuple[str, str], dict[tuple[str, ...], str]] = {}
    for file, context, msgid, texts in _entries(language):
        seen.setdefault((context, msgid), {}).setdefault(tuple(texts), file)
    assert {m: t for m, t in seen.items() if len(t) > 1} == {}


@pytest.mark.parametrize("language", ["vi", "en"])
def test_no_message_twice_in_one_catalog(language: str) -> None:
    """Babel keeps one of two entries with the same msgid in a file, silently: the other
    translation is never shown (the import template's "Commune code" had two)."""
    twice = []
    for path in sorted((LOCALES_DIR / language / "LC_MESSAGES").glob("*.po")):
        text = path.read_text(encoding="utf-8")
        ids = re.findall(r'^msgctxt ((?:".*"\n)+)|^msgid ((?:".*"\n)+)', text, re.MULTILINE)
        seen: set[str] = set()
        context = ""
        for ctxt, msgid in ids:
            if ctxt:
                context = ctxt
                continue
            key = context + msgid
            context = ""
            if key in seen:
                twice.append(f"{path.name}: {msgid[:60]!r}")
            seen.add(key)
    assert twice == []
