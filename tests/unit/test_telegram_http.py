"""The Bot API client's way out: a proxy named in the environment (HTTP_PROXY / HTTPS_PROXY, as
python-telegram-bot documents it) carries the requests, and NO_PROXY is respected."""

from __future__ import annotations

import json

import pytest

from bot.transports.telegram.http import AiohttpRequest
from tests.e2e.harness import TOKEN
from tests.fakebotapi import FakeBotAPI

# No such host: a request reaches the fake Bot API only through the proxy.
FAR_AWAY = f"http://api.telegram.invalid/bot{TOKEN}/getMe"


async def test_requests_go_through_the_proxy_of_the_environment(
    api: FakeBotAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", api.url)  # the fake server plays the proxy
    request = AiohttpRequest()
    await request.initialize()
    try:
        status, body = await request.do_request(FAR_AWAY, "POST")
    finally:
        await request.shutdown()
    assert status == 200
    assert json.loads(body)["result"]["is_bot"] is True


async def test_a_host_in_no_proxy_is_reached_directly(
    api: FakeBotAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    request = AiohttpRequest()
    await request.initialize()
    try:
        status, _ = await request.do_request(f"{api.url}/bot{TOKEN}/getMe", "POST")
    finally:
        await request.shutdown()
    assert status == 200
