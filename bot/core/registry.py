"""One command registry: each command is declared once and drives the Telegram handlers, the
localized command menus, /help and the console.

Features declare themselves as a :class:`Feature`; ``bot/features/__init__.py`` lists them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from bot.core.events import EventKind
from bot.core.flows import Flow
from bot.core.permissions import EVERYONE, Role, RoleSet
from bot.storage.db import Connection, Database
from bot.storage.members import Member

if TYPE_CHECKING:
    from bot.core.context import Context, CoreConfig

Handler = Callable[["Context"], Awaitable[None]]
ActionHandler = Callable[["Context", str], Awaitable[None]]
DataSection = Callable[["Context", Member], Awaitable[list[str]]]
ForgetHook = Callable[[Connection, Member], Awaitable[None]]
# A /forgetme step that needs more than the connection (e.g. to edit what was posted publicly);
# run before the plain hooks, while the member still exists.
ForgetStep = Callable[["Context", Member], Awaitable[None]]


class Where(StrEnum):
    PRIVATE = "private"
    GROUP = "group"
    ANY = "any"


@dataclass(frozen=True)
class Command:
    name: str  # English, lowercase, as typed after the slash
    alias: str  # Vietnamese without diacritics
    handler: Handler
    roles: frozenset[Role]
    where: Where
    description: str  # a message id, marked with N_()
    needs_onboarding: bool = True
    in_menu: bool = True

    def typed_in(self, language: str) -> str:
        """The command as a reader of ``language`` types it: the alias in Vietnamese text, the
        English name in English text."""
        return self.alias if language == "vi" else self.name

    def works_in(self, private: bool) -> bool:
        return self.where == Where.ANY or (self.where == Where.PRIVATE) == private


@dataclass(frozen=True)
class Action:
    """What a button does. Roles are checked again on every press: a role may have been revoked
    since the menu was shown."""

    handler: ActionHandler
    roles: frozenset[Role] = EVERYONE
    needs_onboarding: bool = True


@dataclass(frozen=True)
class Job:
    """A timer: ``run`` is called every ``every_seconds`` with the database and the time; it
    finds in SQLite what is due (so nothing is lost over a restart), does it, and returns how
    many messages it queued in the outbox."""

    name: str
    every_seconds: int
    run: Callable[[Database, CoreConfig, datetime], Awaitable[int]]


@dataclass
class Feature:
    name: str
    commands: list[Command] = field(default_factory=list)
    # Button actions are "<prefix>:<argument>"; the prefix names the handler here.
    actions: dict[str, Action] = field(default_factory=dict)
    # Input (text, location, photo, voice) while a conversation of this flow is open. A typed
    # flow's state is checked before its handler runs (see bot.core.flows).
    flows: dict[Flow[Any, Any], Handler] = field(default_factory=dict)
    # Chat events (bot added or removed, a group migrated, a title changed).
    events: dict[EventKind, Handler] = field(default_factory=dict)
    # What /mydata shows, and what /forgetme must clean, for this feature.
    data_sections: list[DataSection] = field(default_factory=list)
    forget_hooks: list[ForgetHook] = field(default_factory=list)
    forget_steps: list[ForgetStep] = field(default_factory=list)
    jobs: list[Job] = field(default_factory=list)


class Registry:
    def __init__(self, features: Iterable[Feature]) -> None:
        self.features = list(features)
        self.commands: list[Command] = []
        self._by_name: dict[str, Command] = {}
        self.actions: dict[str, Action] = {}
        self.flows: dict[str, Handler] = {}
        self.flow_states: dict[str, Flow[Any, Any]] = {}
        self.events: dict[EventKind, list[Handler]] = {}
        for feature in self.features:
            for command in feature.commands:
                for name in (command.name, command.alias):
                    if name in self._by_name:
                        raise ValueError(f"command /{name} is declared twice")
                    self._by_name[name] = command
                self.commands.append(command)
            for key, action in feature.actions.items():
                if key in self.actions:
                    raise ValueError(f"action {key!r} is declared twice ({feature.name})")
                self.actions[key] = action
            for declared, flow in feature.flows.items():
                if declared.name in self.flows:
                    raise ValueError(f"flow {declared.name!r} is declared twice ({feature.name})")
                self.flows[declared.name] = flow
                self.flow_states[declared.name] = declared
            for kind, handler in feature.events.items():
                self.events.setdefault(kind, []).append(handler)

    def find(self, name: str) -> Command | None:
        return self._by_name.get(name.lower())

    def visible_to(self, roles: RoleSet, *, private: bool, onboarded: bool) -> list[Command]:
        """The commands this person may use here: what /help lists."""
        return [
            c
            for c in self.commands
            if c.in_menu
            and c.works_in(private)
            and roles.may(c.roles)
            and (onboarded or not c.needs_onboarding)
        ]

    def for_menu(self, roles: Iterable[Role], *, private: bool) -> list[Command]:
        """Commands for a Telegram command menu of a scope (private chats or groups)."""
        wanted = frozenset(roles)
        return [c for c in self.commands if c.in_menu and c.works_in(private) and c.roles & wanted]

    @property
    def data_sections(self) -> list[DataSection]:
        return [s for f in self.features for s in f.data_sections]

    @property
    def jobs(self) -> list[Job]:
        return [j for f in self.features for j in f.jobs]

    @property
    def forget_hooks(self) -> list[ForgetHook]:
        return [h for f in self.features for h in f.forget_hooks]

    @property
    def forget_steps(self) -> list[ForgetStep]:
        return [s for f in self.features for s in f.forget_steps]
