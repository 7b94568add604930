"""Pledges (cam kết): a household signs the year's safety commitment in a private chat, sees it,
and may withdraw it (the withdrawal is recorded with its time, never erased); leaders follow
coverage and keep the household register; officers run the campaigns. This module declares
the feature; the screens:

- screens_sign.py: /pledge step by step; screens_mine.py: a resident's pledge, withdrawing it,
  /mydata and /forgetme;
- screens_board.py: /pledgestatus (coverage, who has not signed, reminders);
  screens_board_public.py: /pledgeboard, the list posted in an area's group;
- screens_households*.py: /households, the household register and its files;
- screens_admin.py: campaigns, items, individual pledges; screens_export.py: the CSV export.

The buttons are declared in actions.py, the flows' steps and states in states.py.
"""

from __future__ import annotations

from bot.core.permissions import EVERYONE
from bot.core.registry import Action, Command, Feature, Where
from bot.features.pledges import actions, states
from bot.features.pledges import screens_admin as pledges_admin
from bot.features.pledges import screens_board as pledges_board
from bot.features.pledges import screens_households as households
from bot.features.pledges import screens_mine as mine
from bot.features.pledges import screens_sign as sign
from bot.i18n import N_

feature = Feature(
    name="pledges",
    commands=[
        Command(
            "pledge",
            "camket",
            sign.pledge,
            EVERYONE,
            Where.PRIVATE,
            N_("Sign your household's yearly safety pledge, or see it"),
        ),
        *pledges_board.commands,
        *households.commands,
        *pledges_admin.commands,
    ],
    actions={
        actions.PLEDGE.prefix: Action(sign.on_button),
        actions.WITHDRAW.prefix: Action(mine.on_withdraw),
        **pledges_board.actions,
        **households.actions,
        **pledges_admin.actions,
    },
    flows={
        states.PLEDGE: sign.on_input,
        **pledges_board.flows,
        **households.flows,
        **pledges_admin.flows,
    },
    data_sections=[mine.data_section],
    forget_hooks=[mine.forget_member],
    forget_steps=[mine.forget_step],
)
