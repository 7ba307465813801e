"""Files and folders that may hold a denouncer's identity — the database, the secret key, the
notices written as `.eml` files and the printed letters — are the owner's alone: folders 0700,
files 0600, whatever the process's umask (issue 21: another local user read a denouncer's
notice from a 0644 file in a 0755 folder)."""

from __future__ import annotations

import os
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def private_folder(path: Path, narrow_existing: bool = True) -> Path:
    """`path` as an owner-only folder, made with its parents if missing. Its parents are left
    as they are; an existing folder is narrowed only if `narrow_existing` and this user owns it
    (a database placed in a shared folder leaves that folder alone)."""
    existed = path.is_dir()
    path.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
    if not existed or (narrow_existing and path.stat().st_uid == os.getuid()):
        os.chmod(path, FOLDER_MODE)
    return path


def private_file(path: Path) -> Path:
    """`path` as an owner-only file, created empty if missing (before a library such as
    SQLite creates it with the umask's mode)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE)
    os.close(descriptor)
    os.chmod(path, FILE_MODE)
    return path


def write_private(path: Path, content: bytes) -> None:
    """Write `content` to `path`, created owner-only (the mode is set before any byte is)."""
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE), "wb") as out:
        os.fchmod(out.fileno(), FILE_MODE)  # an existing file keeps its mode on open
        out.write(content)
