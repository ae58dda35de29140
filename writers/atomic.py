"""Atomic dataset replacement, so a crash never leaves a half-written dataset behind.

A whole dataset is built in a staging folder inside the output folder (same file system, so
renames are atomic) and swapped in at the end: until the swap the previous dataset is untouched;
the swap itself is a handful of renames. (Single files written on their own, such as codebook.csv,
use `writers.codebook_export.write_atomic`.)
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

STAGING_PREFIX = ".ogi-staging-"


def new_staging(out_dir: Path) -> Path:
    """A fresh staging folder inside `out_dir` (same file system, so the final renames are atomic)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(out_dir)
    return Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=out_dir))


def remove_stale_staging(out_dir: Path) -> None:
    """Delete staging folders left by runs that died (their process id is gone)."""
    for folder in out_dir.glob(f"{STAGING_PREFIX}*"):
        pid = folder.name[len(STAGING_PREFIX) :].split("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def swap_in(staging: Path, out_dir: Path, names: list[str]) -> None:
    """Move `names` (files or folders) from `staging` into `out_dir`, replacing what was there.

    Folders are swapped by renaming the old one aside first, then the new one in; the old one is
    deleted only after the new one is in place. Files in `out_dir` that are not in `names`
    (codebook.csv, report/, ...) are left alone. `staging` is removed at the end.
    """
    for name in names:
        new, target = staging / name, out_dir / name
        if new.is_dir():
            old = staging / f"{name}.old"
            if target.exists():
                os.rename(target, old)
            os.rename(new, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(new, target)
    shutil.rmtree(staging, ignore_errors=True)
