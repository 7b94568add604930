"""Typed conversations and buttons, declared once per feature.

A **flow** is a conversation of several steps (the report a resident writes, a pledge being
signed). Each flow declares its steps (a ``StrEnum``) and the state it keeps between them (a
:class:`State`, a pydantic model), and its screens read that state with ``FLOW.state(ctx)``:
a typed object instead of a dictionary. The state is stored as JSON in the conversations
table, with the same keys as before, so a conversation open when the bot is upgraded goes on.
A conversation that is not of this flow, stands on a step the flow no longer has, or whose
stored state does not fit the model (an older release, a garbled row) is **refused**: the
dispatcher ends it and answers with the flow's "start again" message, never a crash.

A feature's buttons are :class:`Actions`: one prefix and the verbs behind it (a ``StrEnum``),
which make the action strings stored in menus (``"rep:cat:theft"``) and parse them back.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, PrivateAttr, ValidationError

from bot.i18n import N_

if TYPE_CHECKING:
    from bot.core.context import Context

# The one "start again" answer: a button of a menu that is no longer open, or a conversation
# that cannot go on.
STALE_MENU = N_("This menu is no longer active. Please start again from /help.")


class State(BaseModel):
    """What a flow keeps between its steps. Keys the model does not know (written by an older
    release) are ignored; values of the wrong kind refuse the state. Setting a field saves the
    conversation with the event, as a change of its data (its menus stay valid)."""

    model_config = ConfigDict(extra="ignore", validate_assignment=True)
    _touched: bool = PrivateAttr(default=False)

    def __setattr__(self, name: str, value: object) -> None:
        super().__setattr__(name, value)
        if not name.startswith("_"):
            self._touched = True

    @property
    def touched(self) -> bool:
        """Was a field set since the state was read or begun?"""
        return self._touched


class NoState(State):
    """The state of a flow that keeps nothing but its step."""


S = TypeVar("S", bound=State)
Step = TypeVar("Step", bound=StrEnum)
V = TypeVar("V", bound=StrEnum)


class StateRefused(Exception):
    """What was pressed or typed does not fit the person's conversation: the dispatcher
    answers ``answer`` (a message id) and, with ``end``, ends the conversation (one that
    cannot go on: an unknown step, a garbled state). A button of another flow or an unknown
    verb leaves the open conversation as it is."""

    def __init__(self, answer: str = STALE_MENU, *, end: bool = False) -> None:
        super().__init__(answer)
        self.answer = answer
        self.end = end


class Flow(Generic[Step, S]):
    """One conversation flow: its name (stored with the conversation), steps and state."""

    def __init__(
        self, name: str, steps: type[Step], state: type[S], *, restart: str = STALE_MENU
    ) -> None:
        self.name = name
        self.steps = steps
        self.model = state
        self.restart = restart  # a message id: what a refused conversation is told

    def __repr__(self) -> str:
        return f"Flow({self.name!r})"

    def is_open(self, ctx: Context, *steps: Step) -> bool:
        """Is the person in this flow (at one of ``steps``, when given)?"""
        return ctx.flow == self.name and (not steps or ctx.step in steps)

    def begin(self, ctx: Context, step: Step, state: S) -> S:
        """Start this flow at ``step``; any earlier conversation in the chat ends."""
        ctx.begin_state(self.name, step.value, state)
        return state

    def step(self, ctx: Context) -> Step:
        """The step the person is at; refused when not in this flow or the step is unknown."""
        if ctx.flow != self.name or ctx.step is None:
            raise StateRefused(self.restart)
        try:
            return self.steps(ctx.step)
        except ValueError:
            raise StateRefused(self.restart, end=True) from None

    def state(self, ctx: Context) -> S:
        """The flow's state, validated; the same object for the whole event, so a change made
        with ``validate_assignment`` is seen by what the handler calls next. Refused (see
        :class:`StateRefused`) when it cannot be read."""
        self.step(ctx)
        kept = ctx.loaded_state
        if isinstance(kept, self.model):
            return kept
        assert ctx.conversation is not None  # step() checked it
        try:
            state = self.model.model_validate(ctx.conversation.data)
        except ValidationError:
            raise StateRefused(self.restart, end=True) from None
        ctx.loaded_state = state
        return state

    def check(self, ctx: Context) -> None:
        """Refuse a conversation of this flow that cannot go on (see :meth:`state`)."""
        self.state(ctx)


class Prefix:
    """The button actions of one handler: ``"<prefix>:<argument>..."``. The prefix names the
    handler in the registry (``actions={X.prefix: Action(...)}``) and is written only here."""

    def __init__(self, prefix: str) -> None:
        if not prefix or ":" in prefix:
            raise ValueError(f"an action prefix is a word without a colon: {prefix!r}")
        self.prefix = prefix

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.prefix!r})"

    def make(self, *arguments: object) -> str:
        """The action string of a button with these arguments."""
        return ":".join((self.prefix, *(str(a) for a in arguments)))

    def owns(self, action: str) -> bool:
        """Is ``action`` (a whole action string, as a menu keeps it) one of these?"""
        return action.startswith(self.prefix + ":")


class Actions(Prefix, Generic[V]):
    """A handler's actions named by a verb: ``"<prefix>:<verb>[:<argument>...]"``, the verbs
    being the ``StrEnum`` ``verbs`` (so a handler tells them apart by name, never by a string
    written again)."""

    def __init__(self, prefix: str, verbs: type[V]) -> None:
        super().__init__(prefix)
        self.verbs = verbs

    def __call__(self, verb: V, *arguments: object) -> str:
        """The action string of a button pressing ``verb`` with ``arguments``."""
        return self.make(verb.value, *arguments)

    def parse(self, argument: str) -> tuple[V, str] | None:
        """``argument`` (what follows the prefix) as the verb and the rest after it; None for a
        verb this handler does not have (a menu of an older release)."""
        verb, _, rest = argument.partition(":")
        try:
            return self.verbs(verb), rest
        except ValueError:
            return None

    def read(self, argument: str) -> tuple[V, str]:
        """As :meth:`parse`, for a button's handler: an unknown verb is refused (the person is
        told the menu is no longer active)."""
        parsed = self.parse(argument)
        if parsed is None:
            raise StateRefused()
        return parsed
