"""The suite on PostgreSQL: ``pytest --backend=postgresql`` (``make test`` runs both).

One throwaway cluster per run (initdb into a temporary folder, started on a unix socket of its
own, removed at the end); one database per test, made from a migrated template. Every
database a test opens by file (``Database.open(tmp_path / "x.sqlite3")``, the bot started on
a file) is that test's PostgreSQL database instead, one per file name, so the same tests drive
the same code on the other engine. Tests that read or write the SQLite file itself are marked
``sqlite_only`` with a reason: the PostgreSQL run does not run them and lists them at the end.
Tests of what only a server database does (several bot processes on one database, row locks,
``xomantoan copy`` of a SQLite file into it, pg_dump) are marked ``postgresql_only``: the SQLite
run lists them at the end the same way. A test that makes its PostgreSQL databases itself (the
fixture ``pg_database``) keeps its files SQLite files.
If PostgreSQL cannot be started, the run fails and says why (it never passes without it).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from itertools import count
from pathlib import Path
from typing import Any

import pytest

BACKENDS = ("sqlite", "postgresql")
_skipped: list[tuple[str, str]] = []  # (test, reason) not run on this run's backend
_database_of: Callable[[str], str] | None = None  # a file's PostgreSQL database, on that run


def database_setting(path: str | Path) -> str:
    """What XOMANTOAN_DATABASE says for the database of ``path`` in a bot started as its own
    process: the file on the SQLite run, its PostgreSQL database on the other."""
    return str(path) if _database_of is None else _database_of(str(path))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backend",
        choices=BACKENDS,
        default="sqlite",
        help="the database the suite runs on (postgresql: a throwaway cluster it starts)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only(reason): the test reads or writes the SQLite file itself"
    )
    config.addinivalue_line(
        "markers", "postgresql_only(reason): the test is of PostgreSQL itself (run there only)"
    )


def backend(config: pytest.Config) -> str:
    return str(config.getoption("--backend"))


def _other_only(config: pytest.Config) -> str:
    """The marker of the tests this run does not run."""
    return "sqlite_only" if backend(config) == "postgresql" else "postgresql_only"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    name = _other_only(config)
    for item in items:
        marker = item.get_closest_marker(name)
        if marker is not None:
            reason = str(marker.kwargs.get("reason") or (marker.args[0] if marker.args else ""))
            _skipped.append((item.nodeid, reason))
            item.add_marker(pytest.mark.skip(reason=f"{name}: {reason}"))


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    name = _other_only(config)
    other = "SQLite" if name == "postgresql_only" else "PostgreSQL"
    terminalreporter.section(f"not run on {other} ({name})")
    for nodeid, reason in _skipped:
        terminalreporter.write_line(f"{nodeid}: {reason}")
    terminalreporter.write_line(f"{len(_skipped)} tests marked {name}")


def _binary(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if candidates:
        return candidates[-1]
    raise pytest.UsageError(
        f"--backend=postgresql: {name} not found (on PATH or under /usr/lib/postgresql/*/bin);"
        " install PostgreSQL (apt-get install postgresql), .ci/run does it"
    )


class Cluster:
    """A PostgreSQL server of the test run's own."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="xat-pg-"))
        self.data = self.root / "data"
        self.socket = self.root  # the unix socket's folder
        self.port = 5432
        self._as: list[str] = []
        self._names = count(1)
        self.started = False

    def _run(self, *args: str) -> None:
        done = subprocess.run(
            [*self._as, *args], capture_output=True, text=True, cwd=self.root, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} failed: {done.stderr.strip()[-2000:]}")

    def start(self) -> None:
        if os.geteuid() == 0:  # the server refuses to run as root: it runs as nobody
            user = pwd.getpwnam("nobody")
            os.chmod(self.root, 0o755)
            os.chown(self.root, user.pw_uid, user.pw_gid)
            self._as = ["runuser", "-u", "nobody", "--"]
        initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
        self._run(
            initdb, "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
            "--locale=C.UTF-8", "--no-sync",
        )  # fmt: skip
        options = (
            f"-k {self.socket} -c listen_addresses='' -p {self.port} -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
        )
        self._run(pg_ctl, "-D", str(self.data), "-l", str(self.root / "log"), "-o", options,
                  "-w", "start")  # fmt: skip
        self.started = True

    def url(self, name: str) -> str:
        return f"postgresql://postgres@/{name}?host={self.socket}&port={self.port}"

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(sql.encode())

    def make_template(self) -> None:
        import asyncio

        from bot.storage.pg_database import PostgresDatabase

        self.admin("CREATE DATABASE xat_template")

        async def migrate() -> None:
            db = await PostgresDatabase.open_postgresql(self.url("xat_template"))
            await db.close()

        asyncio.run(migrate())

    def new_database(self) -> str:
        name = f"t{next(self._names)}"
        self.admin(f"CREATE DATABASE {name} TEMPLATE xat_template")
        return name

    def drop(self, name: str) -> None:
        with contextlib.suppress(Exception):
            self.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        if self.started:
            with contextlib.suppress(Exception):
                self._run(_binary("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_cluster(request: pytest.FixtureRequest) -> Iterator[Cluster | None]:
    if backend(request.config) != "postgresql":
        yield None
        return
    cluster = Cluster()
    try:
        cluster.start()
        cluster.make_template()
    except Exception as exc:
        cluster.stop()
        pytest.exit(f"--backend=postgresql: PostgreSQL could not be started: {exc}", returncode=3)
    yield cluster
    cluster.stop()


@pytest.fixture(autouse=True)
def _databases_on_postgresql(
    request: pytest.FixtureRequest, pg_cluster: Cluster | None, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """On the PostgreSQL run, a database the test opens by file is a PostgreSQL database
    (not in a test that makes its own, with ``pg_database``: there a file is a file)."""
    if pg_cluster is None or "pg_database" in request.fixturenames:
        yield
        return
    from bot.storage.db import Database
    from bot.storage.pg_database import PostgresDatabase

    made: dict[str, str] = {}

    def url_of(text: str) -> str:
        if text.startswith(("postgresql://", "postgres://")):
            return text
        key = text if text == ":memory:" else os.path.abspath(text.removeprefix("sqlite:"))
        if key not in made or key == ":memory:":
            made[key] = pg_cluster.new_database()
            if key != ":memory:" and os.path.isdir(os.path.dirname(key)):
                Path(key).touch()  # the command line checks that the database exists
        return pg_cluster.url(made[key])

    async def open_database(cls: type[Database], path: Any, *, migrate: bool = True) -> Database:
        return await PostgresDatabase.open_postgresql(url_of(str(path)), migrate=migrate)

    global _database_of
    monkeypatch.setattr(Database, "open", classmethod(open_database))
    _database_of = url_of
    yield
    _database_of = None
    for name in made.values():
        pg_cluster.drop(name)


@pytest.fixture
def pg_database(pg_cluster: Cluster | None) -> Iterator[Callable[[], str]]:
    """Makes fresh, migrated PostgreSQL databases (their connection strings) for a test
    marked ``postgresql_only``, whose files then stay SQLite files; dropped after it."""
    assert pg_cluster is not None, "a test using pg_database is marked postgresql_only"
    made: list[str] = []

    def new() -> str:
        made.append(pg_cluster.new_database())
        return pg_cluster.url(made[-1])

    yield new
    for name in made:
        pg_cluster.drop(name)


def restart(cluster: Cluster) -> None:
    """Restart the server (every connection to it is cut)."""
    cluster._run(_binary("pg_ctl"), "-D", str(cluster.data), "-l", str(cluster.root / "log"),
                 "-m", "fast", "-w", "restart")  # fmt: skip


def terminate_backends(url: str, pid: int | None = None) -> int:
    """Cut every connection to the database of ``url`` (as the server does when an operator
    kills them, or a failover happens), or only the one of the server process ``pid``;
    returns how many."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    name = conninfo_to_dict(url)["dbname"]
    admin = url.replace(f"/{name}?", "/postgres?")
    with psycopg.connect(admin, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid() AND (%s::int IS NULL OR pid = %s)",
            (name, pid, pid),
        ).fetchall()
    return len(rows)
