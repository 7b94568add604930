"""The buttons of pledges and the household register, declared once: each screen makes its
action strings from these and each handler reads them back (see bot.core.flows)."""

from __future__ import annotations

from enum import StrEnum

from bot.core.flows import Actions, Prefix


class Plg(StrEnum):
    """/pledge: a resident signing the household's pledge."""

    AUDIENCE = "aud"
    TOGGLE = "tog"  # leave an item out, or take it back
    ITEMS = "items"  # the items are chosen
    HEAD = "head"  # "use my name" as the head of household
    HOUSEHOLD = "hh"  # one of the register's close households (0: a new one)
    PUBLIC = "pub"
    SIGN = "sign"
    CANCEL = "cancel"
    WITHDRAW = "wd"  # a signed pledge: ask to withdraw it


class Withdraw(StrEnum):
    YES = "yes"
    NO = "no"


class Board(StrEnum):
    """/pledgestatus: a leader's coverage board of an area."""

    AREA = "area"
    LIST = "list"
    UNSIGNED = "todo"  # the action string kept: menus shown before still answer
    REMIND = "remind"
    SEND = "send"
    HOUSEHOLDS = "hh"  # the number of households of the area


class Campaign(StrEnum):
    """/pledgecampaign."""

    NEW = "new"
    TITLE = "title"  # the suggested title
    DAY = "day"
    OK = "ok"
    NO = "no"


class Item(StrEnum):
    """/pledgeitems."""

    AUDIENCE = "aud"
    ADD = "add"
    EDIT = "edit"
    RETIRE = "retire"
    RESTORE = "restore"
    KEEP_VI = "keepvi"
    KEEP_EN = "keepen"
    NO_EN = "noen"


class Individual(StrEnum):
    """/individualpledge."""

    NEW = "new"
    MEMBER = "member"
    DAY = "day"
    ME = "me"


class Register(StrEnum):
    """/households: the household register of an area."""

    AREA = "area"
    PAGE = "page"
    OPEN = "open"
    ADD = "add"
    FIND = "find"
    IMPORT = "import"
    TEMPLATE = "tpl"
    EDIT = "edit"
    REMOVE = "rm"
    REMOVE_OK = "rmok"
    SKIP = "skip"
    CLEAR = "clear"


PLEDGE = Actions("plg", Plg)
WITHDRAW = Actions("plgw", Withdraw)
BOARD = Actions("plgs", Board)
CAMPAIGN = Actions("plga", Campaign)
ITEM = Actions("plgi", Item)
INDIVIDUAL = Actions("plgv", Individual)
REGISTER = Actions("hh", Register)
# "<campaign>:<area>" (0: all areas) or "<campaign>:pick": a campaign's CSV export.
EXPORT = Prefix("plge")
