"""The snapshot file: a gzipped tar of the manifest, the rows and the native copy; written
whole under a temporary name then renamed (a crash leaves no half snapshot), read back
only through the names the manifest lists, each checked against its SHA-256."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import tarfile
import zlib
from pathlib import Path
from typing import Any

from webapp.backup import FORMAT, FORMAT_VERSION, MANIFEST, NATIVE, BackupError

_MEMBER = re.compile(r"(rows/[a-z_][a-z0-9_]*\.jsonl|database\.sqlite3|database\.pgdump)")
# What a damaged or foreign file raises while it is read.
UNREADABLE = (tarfile.TarError, OSError, EOFError, zlib.error, UnicodeDecodeError, ValueError)


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file, read in blocks."""
    hashed = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(2**20), b""):
            hashed.update(block)
    return hashed.hexdigest()


def write(target: Path, work: Path, manifest: dict[str, Any], members: list[str]) -> int:
    """Write the snapshot file from the members in `work`; returns its size in bytes."""
    manifest["files"] = {name: {"bytes": (work / name).stat().st_size,
                                "sha256": sha256_of(work / name)} for name in members}
    text = json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8")
    partial = target.with_name(f".{target.name}.partial")
    try:
        with tarfile.open(partial, "w:gz") as tar:
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(text), int(manifest["created_ts"]), 0o600
            tar.addfile(info, io.BytesIO(text))
            for name in members:
                tar.add(work / name, arcname=name, recursive=False)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target.stat().st_size


def _damaged(path: Path, why: str) -> BackupError:
    """The one message for a file that is not a whole snapshot."""
    return BackupError(f"{path} is not a usable snapshot: {why}.")


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest, checked for shape; a damaged or foreign file is refused in words."""
    try:
        with tarfile.open(path, "r:gz") as tar:
            member = tar.extractfile(MANIFEST)
            if member is None:
                raise _damaged(path, f"its {MANIFEST} is not a file")
            manifest = json.loads(member.read().decode("utf-8"))
    except KeyError:
        raise _damaged(path, f"it has no {MANIFEST}") from None
    except UNREADABLE as exc:
        raise _damaged(path, f"it cannot be read as a gzipped tar, or is cut short ({exc})"
                       ) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _damaged(path, "its manifest is not a Districts of Creativity snapshot's")
    version = manifest.get("format_version")
    if isinstance(version, int) and version > FORMAT_VERSION:
        raise BackupError(f"{path} was written in snapshot format {version} by a newer "
                          f"version of the app; this one reads format {FORMAT_VERSION}.")
    shapes = (("format_version", int), ("database", str), ("revision", str),
              ("tables", dict), ("files", dict))
    for key, kind in shapes:
        if not isinstance(manifest.get(key), kind):
            raise _damaged(path, f"its manifest has no valid '{key}'")
    if manifest["database"] not in NATIVE:
        raise _damaged(path, f"it names an unknown database kind '{manifest['database']}'")
    for name, table in manifest["tables"].items():
        if not (isinstance(table, dict) and isinstance(table.get("columns"), list)
                and isinstance(table.get("rows"), int) and isinstance(table.get("sha256"), str)
                and f"rows/{name}.jsonl" in manifest["files"]):
            raise _damaged(path, f"its manifest's entry for table '{name}' is incomplete")
    if NATIVE[manifest["database"]] not in manifest["files"]:
        raise _damaged(path, f"it lacks {NATIVE[manifest['database']]}")
    return manifest


def extract(path: Path, manifest: dict[str, Any], work: Path) -> None:
    """Copy every member the manifest lists into `work`, each checked against its size and
    SHA-256; nothing else in the file is looked at."""
    try:
        with tarfile.open(path, "r:gz") as tar:
            for name, facts in manifest["files"].items():
                if not _MEMBER.fullmatch(name) or not isinstance(facts, dict):
                    raise _damaged(path, f"its manifest lists an unexpected file '{name}'")
                try:
                    source = tar.extractfile(name)
                except KeyError:
                    source = None
                if source is None:
                    raise _damaged(path, f"{name} is missing")
                (work / name).parent.mkdir(parents=True, exist_ok=True)
                with (work / name).open("wb") as out:
                    shutil.copyfileobj(source, out)
                if (work / name).stat().st_size != facts.get("bytes") or \
                        sha256_of(work / name) != facts.get("sha256"):
                    raise _damaged(path, f"{name} does not match its checksum")
    except UNREADABLE as exc:
        raise _damaged(path, f"it is cut short or damaged ({exc})") from None
