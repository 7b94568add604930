"""``xomantoan backup`` on PostgreSQL: ``pg_dump`` in its custom format (restored with
``pg_restore``, see the README's "Backups on PostgreSQL").

``pg_dump`` is found on PATH, else the newest under /usr/lib/postgresql/*/bin (a dump needs a
``pg_dump`` at least as new as the server). The password never reaches its command line nor a
log: the connection string is given without it, and the password through ``PGPASSWORD`` in
the program's environment (a password file, ``PGPASSFILE``, or a service file,
``PGSERVICEFILE``, work as they do for every PostgreSQL program).
"""

from __future__ import annotations

import asyncio
import glob
import os
import shutil
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from bot.storage.connection import DatabaseError


def program(name: str) -> str:
    """Where PostgreSQL's program ``name`` is (PATH first, then the newest server's)."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0,
    )
    if candidates:
        return candidates[-1]
    raise DatabaseError(
        f"{name} was not found (on PATH or under /usr/lib/postgresql/*/bin): install "
        "PostgreSQL's client programs (apt-get install postgresql-client)"
    )


def split_password(conninfo: str) -> tuple[str, str | None]:
    """The connection string without its password, and the password (None if it has none)."""
    try:
        parts = conninfo_to_dict(conninfo)
    except psycopg.ProgrammingError as exc:
        raise DatabaseError(f"the database setting is not a PostgreSQL address: {exc}") from None
    password = parts.pop("password", None)
    clean = make_conninfo("", **{k: str(v) for k, v in parts.items() if v is not None})
    return clean, (str(password) if password is not None else None)


async def dump(conninfo: str, target: str | Path) -> None:
    """Write the whole database to ``target`` with ``pg_dump --format=custom``."""
    clean, password = split_password(conninfo)
    env = dict(os.environ)
    if password is not None:
        env["PGPASSWORD"] = password
    args = [program("pg_dump"), "--format=custom", f"--file={target}", clean]
    process = await asyncio.create_subprocess_exec(
        *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    _, err = await process.communicate()
    if process.returncode != 0:
        message = err.decode(errors="replace").strip().splitlines()
        if password:
            message = [line.replace(password, "***") for line in message]
        raise DatabaseError(f"pg_dump failed: {' / '.join(message[-3:]) or process.returncode}")
