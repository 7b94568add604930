"""The soak (bench/soak.py) in short: 500 mixed updates, faults injected all along."""

from __future__ import annotations

import pytest

from bench.soak import soak
from tests.postgresql import database_setting


@pytest.mark.timeout(300)
async def test_every_due_answer_is_delivered_once_and_no_unexpected_error() -> None:
    # The bot runs as its own process: told the run's database (PostgreSQL's on that run).
    result = await soak(500, limit=200.0, database_setting=database_setting)

    assert result.baseline.finished and result.faulty.finished
    # The faults did happen: 429s, 5xx answers, hung sends, a broken getUpdates answer.
    assert result.faulty.answered_errors[429] > 0
    assert any(code >= 500 for code in result.faulty.answered_errors)
    assert result.faulty.hung > 0
    assert result.faulty.faults["broken getUpdates answer"] > 0
    assert result.due > 400
    assert result.missing == []
    assert result.duplicates == []
    assert result.unexpected_errors == []
    assert result.faulty.stalls == []
    # Each run's database and log are removed when it ends (they piled up in /tmp).
    assert not result.baseline.folder.exists() and not result.faulty.folder.exists()
