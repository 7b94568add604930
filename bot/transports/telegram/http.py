"""The HTTP client of the Bot API requests: aiohttp's, under python-telegram-bot.

python-telegram-bot makes its requests with httpx by default. Measured on the development
machine, one request with its answer cost about 1 ms of CPU through httpx (httpx, httpcore and
anyio) and well under 0.1 ms through aiohttp (its parser is compiled), on a bot that makes one
or two requests for every update a person sends. aiohttp is already what serves the webhooks.
"""

from __future__ import annotations

import ssl
import urllib.request
from urllib.parse import urlsplit

import aiohttp
import certifi
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

# A request that could not even begin: no connection was made, or none was free in time.
NOT_SENT = (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError)


class AiohttpRequest(BaseRequest):
    """python-telegram-bot's requests over one aiohttp session (a pool of ``connections``).

    Its errors reach the bot as the library's own (``TimedOut``, ``NetworkError``), caused by
    aiohttp's: :data:`NOT_SENT` are those that prove the request went nowhere."""

    def __init__(
        self,
        *,
        connections: int = 256,
        connect_timeout: float = 10.0,
        read_timeout: float = 20.0,
        write_timeout: float = 20.0,
    ) -> None:
        self._connections = connections
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, str | None] = {}

    @property
    def read_timeout(self) -> float:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            # Certificates as httpx checked them (certifi's).
            context = ssl.create_default_context(cafile=certifi.where())
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(
                    limit=self._connections, limit_per_host=0, ssl=context
                ),
                headers={"User-Agent": self.USER_AGENT},
            )

    def _proxy(self, url: str) -> str | None:
        """The proxy of HTTPS_PROXY (or ALL_PROXY, unless NO_PROXY names the host), as
        python-telegram-bot documents it; read once per host (aiohttp's own ``trust_env``
        reads the environment and a netrc file in a worker thread for every request)."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        if host not in self._proxies:
            proxies = urllib.request.getproxies()
            proxy = proxies.get(parts.scheme) or proxies.get("all")
            bypass = proxy is not None and urllib.request.proxy_bypass(host)
            self._proxies[host] = None if bypass else proxy
        return self._proxies[host]

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("the Bot API client is not started (initialize)")
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        write = self._write_timeout if isinstance(write_timeout, DefaultValue) else write_timeout
        connect = (
            self._connect_timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout
        )
        pool = 0.0 if isinstance(pool_timeout, DefaultValue) else pool_timeout or 0.0
        # ``connect`` covers the wait for a free connection and making one; ``sock_read`` each
        # wait for the answer's bytes; ``total`` is the bound of a request whose body the
        # server does not take (aiohttp has no timeout of its own for writing).
        timeout = aiohttp.ClientTimeout(
            total=None if read is None else (connect or 0.0) + pool + (write or 0.0) + read,
            connect=None if connect is None else connect + pool,
            sock_read=read,
        )
        data: aiohttp.FormData | dict[str, str] | None = None
        if request_data is not None:
            data = request_data.json_parameters
            if request_data.contains_files:
                form = aiohttp.FormData()
                for name, value in data.items():
                    form.add_field(name, value)
                for name, field in request_data.multipart_data.items():
                    filename, content, *rest = field
                    form.add_field(
                        name, content, filename=filename, content_type=rest[0] if rest else None
                    )
                data = form
        try:
            async with session.request(
                method, url, data=data, timeout=timeout, proxy=self._proxy(url)
            ) as response:
                return response.status, await response.read()
        except aiohttp.ConnectionTimeoutError as exc:
            raise TimedOut("no connection to the Bot API in time; nothing was sent") from exc
        except TimeoutError as exc:  # no answer in time: it may have been done
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc
