"""Where the project's config, data and reports live.

One place decides this (cookiecutter-data-science style). ``NEGTREND_ROOT`` overrides the
project root, ``NEGTREND_REPORTS`` the reports folder and ``NEGTREND_CONFIG`` the config folder.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from negtrend.errors import NegtrendError


class NotAFolderError(NegtrendError, ValueError):
    """A path given as a folder is a file."""


_PACKAGE_DIR = Path(__file__).resolve().parents[1]  # src/negtrend


def project_root() -> Path:
    """The folder holding ``config/``: env override, then the source checkout, then the cwd."""
    env = os.environ.get("NEGTREND_ROOT")
    if env:
        return Path(env).resolve()
    checkout = _PACKAGE_DIR.parent.parent
    if (checkout / "config" / "elections.yaml").exists():
        return checkout
    for folder in [Path.cwd(), *Path.cwd().parents]:
        if (folder / "config" / "elections.yaml").exists():
            return folder
    return Path.cwd()


def config_dir() -> Path:
    return Path(os.environ.get("NEGTREND_CONFIG") or project_root() / "config")


def data_dir() -> Path:
    return project_root() / "data"


def published_dir() -> Path:
    return data_dir() / "published"


def notebooks_dir() -> Path:
    return project_root() / "notebooks"


def reports_dir(folder: str | Path | None = None) -> Path:
    """The reports folder: ``folder`` when given, else ``NEGTREND_REPORTS``, else reports/ of
    the project. A path that is a file is refused with a clear error; writers create it."""
    path = Path(folder or os.environ.get("NEGTREND_REPORTS") or project_root() / "reports")
    if path.exists() and not path.is_dir():
        raise NotAFolderError(f"reports folder {path} is a file, not a folder; give a folder "
                              "with --reports-dir")
    return path


def shared_data_dir() -> Path | None:
    """The team's shared real data (``../shared/data``), or None when absent (a user's machine)."""
    env = os.environ.get("NEGTREND_SHARED_DATA")
    candidate = Path(env) if env else project_root().parent / "shared" / "data"
    return candidate if candidate.is_dir() else None


def sample_corpus() -> Path:
    """The bundled synthetic corpus (scripts/make_sample.py): the explore notebook's default."""
    return data_dir() / "sample" / "posts_pemilu2024.csv"


def source_label(data) -> str:
    """A short name for a data source: the published series id, or the file name."""
    data = str(data)
    return data if data.startswith("published:") else Path(data).name


_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")


def file_stem(name: str) -> str:
    """A file name for any label (a category, a measure): the label itself when it is plain
    ASCII letters, digits, ``_ . -``; otherwise a slug plus a short hash of the label, so
    ``hoaks/disinformasi``, ``hoaks-disinformasi`` and ``<b>x</b>`` never write outside the
    folder, never collide and never carry markup. Captions and records keep the real label."""
    name = str(name)
    if _SAFE_NAME.fullmatch(name) and ".." not in name:
        return name
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.")[:60] or "item"
    return f"{slug}-{hashlib.sha256(name.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}"
