"""Telegram transport (python-telegram-bot), one module per part: :mod:`.transport` (the
transport, handlers), :mod:`.polling` (getUpdates, start-up), :mod:`.lanes` (the inbox, one
lane per chat), :mod:`.events` (updates mapped to core events), :mod:`.replies` (replies and
edits), :mod:`.outbox_sender` (the outbox worker's sender), :mod:`.menus` (command menus),
:mod:`.markup`, :mod:`.retries`, :mod:`.connection` (the chat library's application),
:mod:`.ids`, :mod:`.links`, and :mod:`.state` (what the parts of the transport share).

Importing the package sets what the chat library and its HTTP stack must see first.
"""

import importlib.util
import os
import sys

# Opt in to PTB's coming behaviour (retry_after as a timedelta), read at each access.
os.environ.setdefault("PTB_TIMEDELTA", "1")
# httpcore tries `import sniffio` on every request (twice); when it is not installed (newer
# anyio does not need it), each try searches every folder of sys.path again: about a
# millisecond per update. Recording its absence once makes each try fail at once.
if importlib.util.find_spec("sniffio") is None:
    sys.modules.setdefault("sniffio", None)  # type: ignore[arg-type]
