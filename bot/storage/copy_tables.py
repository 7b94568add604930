"""What ``xomantoan copy`` carries from a commune's SQLite file into a province's PostgreSQL
database (bot/storage/copying.py runs it): every table, in an order where a row comes after
the rows it points at, with the columns that hold ids of other tables (rewritten to the ids
the target gave those rows), and what each table needs beyond that. :data:`NOT_COPIED` says
which tables stay behind and why; a test checks that every table of the schema is in one of
the two lists, so a new table cannot be forgotten.

Ids inside text are rewritten too: an own message's ``own:<id>`` and the area lists of the
broadcasts, the outbox messages of a pledge board, the subject and the ids in the details of
an audit entry. Buttons of a queued message that point at a stored menu lose that button
(menus are not copied: pressing it would answer as an expired menu does).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

# Tables left behind, and why (the copy says nothing of them; the province keeps its own).
NOT_COPIED: Mapping[str, str] = {
    "inbox": "updates received and not yet handled: stop the commune's bot once it is idle",
    "menus": "buttons of messages already shown: they expire within days",
    "conversations": "flows half-way through: a person starts the command again",
    "seen_messages": "platform messages already answered (a guard against repeats)",
    "downloads": "files made for a download link: they expire within hours",
    "kv": "the bot's own platform state (polling offsets, Zalo's counters, reminder throttles)",
    "report_rate": "how often a person reported lately: a throttle that fills again",
    "report_routes": "who gets each category of report: the province's own setting stays",
    "schema_version": "the database's own version",
    "copied_rows": "the ids of earlier copies into the source itself",
    "processes": "the source's bot processes: the province's registry knows its own",
    "timer_runs": "which process ran each timer when: the province's timers run on their own",
    "chat_turns": "each chat's place in the sending pace: it fills again within seconds",
    "inbox_claims": "which process handles a chat's waiting updates: none wait once it stopped",
}
# The outbox: messages already delivered stay behind (their counts are kept on their
# broadcast run), except those a copied row still points at (a pledge board edits its posted
# messages; a broadcast not finished counts its messages). Queued ones are copied.
OUTBOX_WHERE = (
    "status IN ('pending', 'sending')"
    " OR batch_id IN (SELECT id FROM broadcast_runs WHERE counts_kept = 0)"
    " OR id IN (SELECT progress_outbox FROM broadcast_runs WHERE progress_outbox IS NOT NULL)"
    " OR id IN (SELECT CAST(j.value AS INTEGER) FROM pledge_boards b, json_each(b.outbox_ids) j)"
    " OR id IN (SELECT edit_of FROM outbox WHERE status IN ('pending', 'sending'))"
)


class Ids(Protocol):
    """The copy's map of ids, as a row's adjustment sees it."""

    only_commune: int | None  # the source's commune, when it holds one (its old id)
    source_areas: list[int]  # the source's areas (old ids)

    def new_id(self, table: str, old: int | None) -> int | None: ...


Adjust = Callable[[dict[str, Any], Ids], bool]


@dataclass(frozen=True)
class Table:
    name: str
    refs: Mapping[str, str] = field(default_factory=dict)  # column -> table of its ids
    has_id: bool = True  # an identity ``id``: the target gives the row a new one
    # A row the target has already with these values (after the rewrite) is that row: a
    # person in two communes is one member. For a table without ``id``: its key.
    merge: tuple[str, ...] = ()
    # A merged row keeps the province's values; these, where the province has none (a person
    # whose area it does not know), are taken from the commune's row.
    fill: tuple[str, ...] = ()
    later: Mapping[str, str] = field(default_factory=dict)  # refs set once all rows are in
    loose: frozenset[str] = frozenset()  # refs that become NULL when their row stays behind
    keep_existing: bool = False  # a row already there under the key is the province's, kept
    sealed: tuple[str, ...] = ()  # sealed addresses: sealed again with the target's key
    where: str = ""  # only these rows of the source
    scope: str = ""  # a table without ``id``: the column that finds its rows when checking
    adjust: Adjust | None = None  # the row's own rewrite (on old ids); False leaves it behind


def _roles(row: dict[str, Any], ids: Ids) -> bool:
    """An officer of the whole source is an officer of its commune in the province."""
    if row["role"] == "officer" and row["commune_id"] is None:
        if ids.only_commune is None:
            return False  # an officer of several communes at once: granted again by hand
        row["commune_id"] = ids.only_commune
    return True


def _area_list(text: str, ids: Ids) -> str:
    found = [ids.new_id("areas", int(a)) for a in json.loads(text or "[]")]
    return json.dumps([a for a in found if a is not None])


def _message_ref(ref: str, ids: Ids) -> str:
    if ref.startswith("own:") and ref[4:].isdigit():
        return f"own:{ids.new_id('broadcast_messages', int(ref[4:]))}"
    return ref


def _schedules(row: dict[str, Any], ids: Ids) -> bool:
    """A schedule for the whole commune goes to its areas (the whole deployment is now the
    province); one for every group or every subscriber would reach the province: paused."""
    row["message_ref"] = _message_ref(row["message_ref"], ids)
    if row["target"] == "commune":
        row["target"] = "areas"
        row["area_ids"] = json.dumps(sorted(ids.source_areas))
    elif row["target"] in ("groups", "subscribers"):
        row["paused"] = 1
    row["area_ids"] = _area_list(row["area_ids"], ids)
    return True


def _runs(row: dict[str, Any], ids: Ids) -> bool:
    row["message_ref"] = _message_ref(row["message_ref"], ids)
    row["area_ids"] = _area_list(row["area_ids"], ids)
    kind = {"group": "chats", "people": "members"}.get(row["cursor_kind"])
    if kind is not None and row["cursor_id"]:
        row["cursor_id"] = ids.new_id(kind, row["cursor_id"]) or 0
    return True


def _outbox(row: dict[str, Any], ids: Ids) -> bool:
    """A queued message keeps its link buttons; one that opens a stored menu is dropped."""
    rows = json.loads(row["buttons"] or "[]")
    kept = [[b for b in r if not b.get("data")] for r in rows]
    if kept != rows:
        row["buttons"] = json.dumps([r for r in kept if r], ensure_ascii=False)
    return True


def _boards(row: dict[str, Any], ids: Ids) -> bool:
    found = [ids.new_id("outbox", int(i)) for i in json.loads(row["outbox_ids"] or "[]")]
    row["outbox_ids"] = json.dumps([i for i in found if i is not None])
    return True


def _items(row: dict[str, Any], ids: Ids) -> bool:
    """The commune's own pledge items come along for its signed pledges, but do not join the
    province's list: they arrive retired (dated from their last change)."""
    if not row["builtin"] and row["retired_at"] is None:
        row["retired_at"] = row["updated_at"]
    return True


# The subject of an audit entry, and ids in its details, by the kind of row they name.
AUDIT_SUBJECTS = {
    "member": "members",
    "report": "reports",
    "pledge": "pledges",
    "household": "households",
    "area": "areas",
    "commune": "communes",
    "patrol": "patrols",
    "chat": "chats",
}
AUDIT_DETAILS = {
    "campaign": "pledge_campaigns",
    "area_id": "areas",
    "duplicate_of": "reports",
    "assignee": "members",
    "member": "members",
    "report": "reports",
}


def _audit(row: dict[str, Any], ids: Ids) -> bool:
    table = AUDIT_SUBJECTS.get(row["subject_type"] or "")
    if table is not None and row["subject_id"] is not None:
        row["subject_id"] = ids.new_id(table, row["subject_id"])
    details = json.loads(row["details"] or "{}")
    changed = False
    for key, target in AUDIT_DETAILS.items():
        value = details.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            details[key] = ids.new_id(target, value)
            changed = True
    if changed:
        row["details"] = json.dumps(details, ensure_ascii=False, sort_keys=True)
    return True


M = "members"
TABLES: tuple[Table, ...] = (
    Table("communes"),
    Table("areas", {"commune_id": "communes"}),
    Table(
        "members",
        {"area_id": "areas"},
        merge=("platform", "user_id"),
        fill=("display_name", "language", "area_id", "consent_at", "consent_version"),
    ),
    Table(
        "chats",
        {"area_id": "areas"},
        merge=("platform", "chat_id"),
        fill=("title", "area_id", "language"),
    ),
    Table("chat_migrations", has_id=False, merge=("platform", "old_chat_id"), keep_existing=True),
    Table(
        "roles",
        {"member_id": M, "area_id": "areas", "granted_by": M, "commune_id": "communes"},
        merge=("member_id", "role", "area_id", "commune_id"),
        where="role <> 'admin'",  # a commune's admins are not made admins of the province
        adjust=_roles,
    ),
    Table("pledge_campaigns", {"created_by": M}, merge=("starts_on", "ends_on")),
    Table("pledge_items", merge=("audience", "text_vi"), adjust=_items),
    Table("households", {"area_id": "areas"}),
    Table(
        "pledges",
        {
            "campaign_id": "pledge_campaigns",
            "area_id": "areas",
            "member_id": M,
            "withdrawn_by": M,
            "household_id": "households",
        },
    ),
    Table(
        "pledge_lines",
        {"pledge_id": "pledges", "item_id": "pledge_items"},
        has_id=False,
        merge=("pledge_id", "position"),
        scope="pledge_id",
    ),
    Table(
        "pledge_household_members",
        {"pledge_id": "pledges", "member_id": M},
        has_id=False,
        merge=("pledge_id", "member_id"),
        scope="pledge_id",
    ),
    Table("individual_pledges", {"member_id": M, "area_id": "areas", "recorded_by": M}),
    Table(
        "reports",
        {"area_id": "areas", "reporter_member_id": M, "assignee_member_id": M},
        later={"duplicate_of": "reports"},
    ),
    Table("report_events", {"report_id": "reports", "actor_member_id": M, "assignee_member_id": M}),
    Table(
        "report_blocks",
        {"member_id": M, "blocked_by": M},
        has_id=False,
        merge=("member_id",),
        keep_existing=True,
        scope="member_id",
    ),
    Table(
        "report_contacts",
        {"report_id": "reports"},
        has_id=False,
        merge=("report_id",),
        sealed=("sealed",),
        scope="report_id",
    ),
    Table("report_messages", {"report_id": "reports", "author_member_id": M}),
    Table("report_ratings", {"report_id": "reports"}, False, ("report_id",), scope="report_id"),
    Table("report_reopenings", {"report_id": "reports"}, False, ("report_id",), scope="report_id"),
    Table(
        "report_escalations",
        {"report_id": "reports"},
        has_id=False,
        merge=("report_id", "kind", "level", "due_at"),
        scope="report_id",
    ),
    Table(
        "report_assign_rules",
        {"area_id": "areas", "member_id": M, "updated_by": M},
        has_id=False,
        merge=("area_id", "category"),
        scope="area_id",
    ),
    Table(
        "report_deadlines",
        {"commune_id": "communes", "updated_by": M},
        has_id=False,
        merge=("commune_id",),
        scope="commune_id",
    ),
    Table(
        "report_category_deadlines",
        {"commune_id": "communes", "updated_by": M},
        has_id=False,
        merge=("commune_id", "category"),
        scope="commune_id",
    ),
    Table(
        "mediation_cases",
        {"report_id": "reports", "area_id": "areas", "mediator_member_id": M, "created_by": M},
    ),
    Table("patrols", {"area_id": "areas", "leader_member_id": M}),
    Table("patrol_participants", {"patrol_id": "patrols", "member_id": M}),
    Table(
        "patrol_observations",
        {
            "patrol_id": "patrols",
            "created_by": M,
            "report_id": "reports",
            "patrol_area_id": "areas",
        },
    ),
    Table("patrol_observation_notes", {"observation_id": "patrol_observations"}),
    Table("patrol_shifts", {"area_id": "areas", "created_by": M}),
    Table(
        "patrol_shift_members",
        {"shift_id": "patrol_shifts", "member_id": M},
        has_id=False,
        merge=("shift_id", "member_id"),
        scope="shift_id",
    ),
    Table(
        "patrol_shift_reminders",
        {"shift_id": "patrol_shifts", "member_id": M},
        has_id=False,
        merge=("shift_id", "member_id", "shift_at"),
        scope="shift_id",
    ),
    Table("house_watch", {"member_id": M, "area_id": "areas"}),
    Table("broadcast_messages", {"created_by": M}),
    Table("broadcast_schedules", {"created_by": M}, adjust=_schedules),
    Table(
        "broadcast_runs",
        {"schedule_id": "broadcast_schedules", "requested_by": M},
        later={"progress_outbox": "outbox"},
        loose=frozenset({"progress_outbox"}),
        adjust=_runs,
    ),
    Table(
        "outbox",
        {"batch_id": "broadcast_runs"},
        later={"edit_of": "outbox"},
        loose=frozenset({"edit_of", "batch_id"}),
        sealed=("chat_id",),
        where=OUTBOX_WHERE,
        adjust=_outbox,
    ),
    Table("pledge_boards", {"campaign_id": "pledge_campaigns", "area_id": "areas"}, adjust=_boards),
    Table(
        "broadcast_subscriptions",
        {"member_id": M},
        has_id=False,
        merge=("member_id", "topic"),
        keep_existing=True,
        scope="member_id",
    ),
    Table(
        "broadcast_delivery_counts",
        {"run_id": "broadcast_runs", "area_id": "areas"},
        has_id=False,
        merge=("run_id", "area_id"),
        scope="run_id",
    ),
    Table(
        "broadcast_commune_counts",
        {"commune_id": "communes", "run_id": "broadcast_runs"},
        has_id=False,
        merge=("commune_id", "started_at", "run_id"),
        scope="run_id",
    ),
    Table(
        "rating_years",
        {"opened_by": M, "closed_by": M},
        has_id=False,
        merge=("year",),
        keep_existing=True,  # a year the province opened already stays as it is
    ),
    Table("area_ratings", {"area_id": "areas", "decided_by": M}),
    Table(
        "area_rating_criteria",
        {"rating_id": "area_ratings", "recorded_by": M},
        has_id=False,
        merge=("rating_id", "criterion"),
        scope="rating_id",
    ),
    Table("audit_log", {"actor_member_id": M}, adjust=_audit),
)
