"""The running bot loads the chart, spreadsheet and document libraries only when a file is
made (they are most of an idle process's memory). Files are still made: see
test_figures_exports, test_figures_summary and test_figures_chart."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("matplotlib", "openpyxl", "docx")


def loaded_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    return set(out.split())


def test_the_bot_starts_without_the_file_libraries() -> None:
    code = (
        "import bot.app, bot.features, bot.transports.telegram.transport, bot.cli\n"
        "bot.features.build_registry()"
    )
    assert loaded_after(code) == set()
