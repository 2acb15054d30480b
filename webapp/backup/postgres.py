"""PostgreSQL's own tools: finding pg_dump / pg_restore of a version that can read the
server, and running them against the app's database."""

from __future__ import annotations

import os
import re
import shutil
import subprocess  # noqa: S404 - the PostgreSQL client tools, with argument lists only
from pathlib import Path

from sqlalchemy.engine import URL

from webapp.backup import BackupError

# Debian's postgresql-client-N puts its tools here; /usr/bin/pg_dump is a wrapper picking one.
SEARCH_DIRS = ("/usr/lib/postgresql",)
_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?")


def tool_version(tool: str) -> tuple[int, int] | None:
    """The (major, minor) version a client tool says it is; None when it cannot say."""
    try:
        answer = subprocess.run([tool, "--version"], capture_output=True, text=True,  # noqa: S603
                                timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    found = _VERSION.search(answer.stdout)
    return (int(found.group(1)), int(found.group(2) or 0)) if found else None


def _candidates(name: str) -> list[str]:
    """Every copy of the tool on PATH and in Debian's versioned folders."""
    found = [shutil.which(name)]
    for folder in SEARCH_DIRS:
        found += [str(p) for p in Path(folder).glob(f"*/bin/{name}")]
    return list(dict.fromkeys(p for p in found if p and os.access(p, os.X_OK)))


def find_tool(name: str, server_major: int) -> str:
    """The newest copy of `name` (pg_dump, pg_restore); refused when there is none or when
    even the newest is older than the server (it would refuse to dump or misread it)."""
    versions = {tool: tool_version(tool) for tool in _candidates(name)}
    usable = {tool: v for tool, v in versions.items() if v is not None}
    if not usable:
        raise BackupError(
            f"{name} was not found (looked on PATH and in {', '.join(SEARCH_DIRS)}/*/bin). "
            f"Install PostgreSQL's client tools, e.g. on Debian: apt-get install "
            f"postgresql-client-{server_major}.")
    tool, (major, minor) = max(usable.items(), key=lambda item: item[1])
    if major < server_major:
        raise BackupError(
            f"{name} {major}.{minor} ({tool}) is older than the database server "
            f"(PostgreSQL {server_major}). Install postgresql-client-{server_major} "
            "or newer.")
    return tool


def libpq(url: URL) -> tuple[str, dict[str, str]]:
    """The address the client tools take, and an environment carrying the password (kept out
    of the command line, which other users of the machine can read)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    address = url.set(drivername="postgresql", password=None)
    return address.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    """Run a client tool; its last words become the error when it fails."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=env,  # noqa: S603
                              check=False)
    except OSError as exc:
        raise BackupError(f"{what} could not start: {exc}") from None
    if done.returncode != 0:
        words = [w for w in done.stderr.strip().splitlines() if w.strip()][-3:]
        raise BackupError(f"{what} failed: {' / '.join(words) or f'exit {done.returncode}'}")


def dump(url: URL, server_major: int, snapshot_id: str, target: Path) -> None:
    """pg_dump --format=custom of the exported snapshot `snapshot_id` (the moment the rows
    are read at, so both parts of the snapshot agree)."""
    tool = find_tool("pg_dump", server_major)
    address, env = libpq(url)
    _run([tool, "--format=custom", f"--snapshot={snapshot_id}", f"--file={target}",
          f"--dbname={address}"], env, "pg_dump")


def restore(url: URL, server_major: int, source: Path) -> None:
    """pg_restore into the (empty) database in one transaction: all of it or nothing. The
    triggers are created after the rows are in (pg_dump's order), so no seat is counted
    twice; owners and grants are the restoring user's."""
    tool = find_tool("pg_restore", server_major)
    address, env = libpq(url)
    _run([tool, "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
          f"--dbname={address}", str(source)], env, "pg_restore")
