"""What /healthz checks besides the database: free disk space where the site writes.

A full disk fails every write (SQLite's file and its log, the .eml outbox, the secret key)
while pages that only read keep working, so a health check that only reads said "ok". The
folders are the instance folder and, on SQLite, the database file's folder."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from sqlalchemy.engine import make_url

DEFAULT_MIN_FREE_MB = 100


@dataclass(frozen=True)
class DiskSpace:
    """Free space of one folder the site writes to."""

    path: str
    free_mb: int
    min_free_mb: int

    @property
    def low(self) -> bool:
        """Below the configured minimum."""
        return self.free_mb < self.min_free_mb


def _existing(path: Path) -> Path:
    """The folder itself, or its nearest existing parent (a folder made on first write)."""
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def written_folders(app: Flask) -> list[Path]:
    """Where the site writes: the instance folder, and the SQLite database's folder."""
    folders = [Path(app.instance_path)]
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        folders.append(Path(url.database).resolve().parent)
    unique: dict[Path, None] = {}
    for folder in folders:
        unique[_existing(folder)] = None
    return list(unique)


def disk_space(app: Flask) -> list[DiskSpace]:
    """Free space of each written folder against HEALTH_MIN_FREE_MB."""
    minimum = int(app.config.get("HEALTH_MIN_FREE_MB", DEFAULT_MIN_FREE_MB))
    return [DiskSpace(str(folder), shutil.disk_usage(folder).free // 2**20, minimum)
            for folder in written_folders(app)]
