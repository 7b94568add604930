"""The Zalo client against the fake Zalo Bot API: what each answer means to the bot."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.transports.zalo.client import (
    Flood,
    NotDone,
    Refused,
    TokenRefused,
    Unanswered,
    ZaloClient,
)
from tests.fakezaloapi import FakeZaloAPI, ZaloUser

TOKEN = "1459232241454765289:TESTzaloKEYabcdefghijklmnop"


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZaloAPI]:
    server = FakeZaloAPI(TOKEN)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def client(zalo: FakeZaloAPI) -> AsyncIterator[ZaloClient]:
    c = ZaloClient(TOKEN, zalo.url)
    yield c
    await c.close()


async def test_a_good_answer_gives_its_result(client: ZaloClient) -> None:
    me = await client.get_me()
    assert me["account_name"] == "bot.XomAnToan"
    assert isinstance(me["id"], str)


async def test_one_update_per_poll_and_none_when_nothing_came(
    zalo: FakeZaloAPI, client: ZaloClient
) -> None:
    assert await client.get_update(0) is None  # Zalo answers 408 "Request timeout"
    person = ZaloUser(zalo, "e4ea2cd5189df1c3a88c", "Nguyễn Văn An")
    await person.send_only("xin chào")
    await person.send_only("lần hai")
    first = await client.get_update(0)
    assert first is not None and first["message"]["text"] == "xin chào"
    second = await client.get_update(0)
    assert second is not None and second["message"]["text"] == "lần hai"


async def test_a_refused_token_is_told_apart_and_never_shown(zalo: FakeZaloAPI) -> None:
    wrong = "1459232241454765289:WRONGzaloKEYabcdefghijklmno"
    client = ZaloClient(wrong, zalo.url)
    with pytest.raises(TokenRefused) as caught:
        await client.get_me()
    await client.close()
    assert wrong not in str(caught.value)


async def test_429_with_and_without_a_retry_time(zalo: FakeZaloAPI, client: ZaloClient) -> None:
    zalo.fail("sendMessage", 429, retry_after=7)
    with pytest.raises(Flood) as timed:
        await client.send_message("abc", "một")
    assert timed.value.retry_after == 7
    zalo.fail("sendMessage", 429)
    with pytest.raises(Flood) as untimed:
        await client.send_message("abc", "hai")
    assert untimed.value.retry_after is None
    assert await client.send_message("abc", "ba") is not None


async def test_server_errors_and_pages_that_are_not_json_prove_nothing_was_sent(
    zalo: FakeZaloAPI, client: ZaloClient
) -> None:
    zalo.fail("sendMessage", 500)
    with pytest.raises(NotDone):
        await client.send_message("abc", "một")
    zalo.fail("sendMessage", 502, raw="<html><body>Bad Gateway</body></html>")
    with pytest.raises(NotDone) as page:
        await client.send_message("abc", "hai")
    assert "not the Bot API's JSON" in page.value.description
    zalo.fail("getUpdates", 503, raw="<html>maintenance</html>")
    with pytest.raises(NotDone):
        await client.get_update(0)


async def test_a_request_without_an_answer_may_have_been_done(
    zalo: FakeZaloAPI,
) -> None:
    client = ZaloClient(TOKEN, zalo.url, timeout=0.5)
    zalo.hang("sendMessage")
    with pytest.raises(Unanswered):
        await client.send_message("abc", "có thể đã tới")
    zalo.release()
    await client.close()
    assert [c.text for c in zalo.sent("abc")] == ["có thể đã tới"]  # Zalo has it


async def test_a_text_over_2000_characters_is_refused(
    zalo: FakeZaloAPI, client: ZaloClient
) -> None:
    with pytest.raises(Refused) as caught:
        await client.send_message("abc", "x" * 2001)
    assert caught.value.code == 400
    assert await client.send_message("abc", "x" * 2000) is not None


async def test_no_connection_proves_nothing_was_sent() -> None:
    client = ZaloClient(TOKEN, "http://127.0.0.1:9")  # nothing listens on the discard port
    with pytest.raises(NotDone) as caught:
        await client.send_message("abc", "một")
    await client.close()
    assert TOKEN not in str(caught.value)


async def test_webhook_set_and_deleted(zalo: FakeZaloAPI, client: ZaloClient) -> None:
    await client.set_webhook("https://bot.example.vn/zalo/webhook", "s3cret-token")
    info = await client.get_webhook_info()
    assert info is not None and info["url"] == "https://bot.example.vn/zalo/webhook"
    with pytest.raises(Refused):  # polling while a webhook is set is refused
        await client.get_update(0)
    await client.delete_webhook()
    assert await client.get_update(0) is None
