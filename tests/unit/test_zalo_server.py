"""The bot's own HTTP server: the Zalo webhook's secret, the health check, download links."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from bot.storage.db import Database
from bot.transports.zalo.links import Links
from bot.transports.zalo.server import HttpServer
from tests.conftest import Clock
from tests.fakezaloapi import FakeZaloAPI, ZaloUser

SECRET = "a-long-webhook-secret"


@pytest.fixture
async def served(db: Database, clock: Clock) -> AsyncIterator[tuple[HttpServer, list[Any]]]:
    received: list[Any] = []

    async def on_update(body: Any) -> None:
        received.append(body)

    server = HttpServer(
        db,
        host="127.0.0.1",
        port=0,
        language="vi",
        tz=ZoneInfo("Asia/Ho_Chi_Minh"),
        webhook_path="/zalo/webhook",
        webhook_secret=SECRET,
        on_update=on_update,
        links=Links(db, "https://bot.example.vn", 6, clock),
    )
    await server.start()
    yield server, received
    await server.stop()


async def test_the_webhook_takes_updates_with_the_right_secret_only(
    served: tuple[HttpServer, list[Any]],
) -> None:
    server, received = served
    zalo = FakeZaloAPI("unused")
    update = ZaloUser(zalo, "e4ea2cd5189df1c3a88c", "An").update("xin chào")
    target = server.url + "/zalo/webhook"
    wrong = await zalo.post_webhook(target, update, secret="not-the-secret")
    missing = await zalo.post_webhook(target, update)  # no setWebhook: no header at all
    assert (wrong.status_code, missing.status_code) == (403, 403)
    assert received == []
    good = await zalo.post_webhook(target, update, secret=SECRET)
    assert good.status_code == 200 and good.json() == {"ok": True}
    assert received == [update]


async def test_health(served: tuple[HttpServer, list[Any]]) -> None:
    server, _ = served
    async with httpx.AsyncClient() as http:
        answer = await http.get(server.url + "/health")
    assert answer.status_code == 200 and answer.json() == {"status": "ok"}


async def test_a_download_link_works_once_then_never_again(
    served: tuple[HttpServer, list[Any]], clock: Clock
) -> None:
    server, _ = served
    assert server.links is not None
    link = await server.links.make("zalo", "e4ea", "thong-ke.xlsx", b"PK\x03\x04 workbook")
    assert link.url.startswith("https://bot.example.vn/files/")
    local = server.url + link.url.removeprefix("https://bot.example.vn")
    async with httpx.AsyncClient() as http:
        page = await http.get(local)  # a link preview or the person's browser: nothing used
        again = await http.get(local)
        assert page.status_code == again.status_code == 200
        assert "thong-ke.xlsx" in page.text and "<form" in page.text
        first = await http.post(local)
        assert first.status_code == 200 and first.content == b"PK\x03\x04 workbook"
        assert "attachment" in first.headers["content-disposition"]
        second = await http.post(local)
        assert second.status_code == 410 and "đã được dùng" in second.text
        assert (await http.get(local)).status_code == 410


async def test_a_download_link_expires_and_cannot_be_forged(
    served: tuple[HttpServer, list[Any]], clock: Clock
) -> None:
    server, _ = served
    assert server.links is not None
    link = await server.links.make("zalo", "e4ea", "bieu-do.png", b"\x89PNG")
    local = server.url + link.url.removeprefix("https://bot.example.vn")
    download_id, stamp, _ = local.rsplit("/", 1)[1].split(".")
    later = int(stamp) + 3600 * 24
    forged = local.rsplit("/", 1)[0] + f"/{download_id}.{later}.AAAAAAAAAAAAAAAAAAAAAAAA"
    async with httpx.AsyncClient() as http:
        assert (await http.post(forged)).status_code == 404
        clock.now += timedelta(hours=6, seconds=1)
        expired = await http.post(local)
    assert expired.status_code == 410 and "hết hạn" in expired.text
