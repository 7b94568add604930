"""The Telegram transport's HTTP requests do not search sys.path for a module that is not
installed: httpcore tries `import sniffio` on every request."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
import bot.transports.telegram
from httpcore._synchronization import current_async_library

looked_up = []

class Recorder:
    def find_spec(self, name, path=None, target=None):
        looked_up.append(name)
        return None

sys.meta_path.insert(0, Recorder())
assert [current_async_library() for _ in range(3)] == ["asyncio"] * 3
print(looked_up.count("sniffio"))
"""


def test_requests_do_not_search_for_a_missing_module_again() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["0"]
