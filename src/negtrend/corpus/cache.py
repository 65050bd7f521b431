"""The tagged-corpus cache: a corpus is read and tagged once, then every report, sweep run and
exploration over it counts from the cached Parquet.

An entry is keyed by the content of every input file, the tagger and its settings (lexicon
files or model files, label rules, categories) and the time zone, so a changed input or tagger
is never served stale. An entry is built in a hidden folder and renamed into place only when
complete: an interrupted scan leaves nothing a later run would trust.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from negtrend.corpus import inputs
from negtrend.corpus.inputs import InputFile
from negtrend.data import paths

FORMAT = 2  # bump when the cached columns or their meaning change
MANIFEST = "manifest.json"


def cache_dir(folder=None) -> Path:
    """``folder``, else ``NEGTREND_CACHE``, else ``data/cache`` of the project."""
    return Path(folder or os.environ.get("NEGTREND_CACHE") or paths.data_dir() / "cache")


def tagger_fingerprint(classifier: str | None) -> str | None:
    """A hash of what the tagger is made of: the lexicon files, or the model's files."""
    if not classifier:
        return None
    if classifier == "lexicon":
        folder = paths.config_dir() / "lexicons"
        files = sorted(folder.glob("*.txt")) + [paths.config_dir() / "categories.yaml"]
    else:
        files = sorted(p for p in Path(classifier).rglob("*") if p.is_file())
    digest = hashlib.blake2b(digest_size=16)
    for path in files:
        if path.exists():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def code_fingerprint() -> str:
    """A hash of the code that turns raw rows into tagged rows (readers, row checks, label
    rules, the tagger, the scan): an upgrade that changes any of it is a new cache entry."""
    package = Path(__file__).resolve().parents[1]
    files = [package / "corpus" / "scan.py", *sorted((package / "tagging").rglob("*.py"))]
    files += [package / "data" / f"{name}.py" for name in
              ("readers", "columns", "encoding", "workbooks", "loading", "labels", "sample")]
    digest = hashlib.blake2b(digest_size=16)
    for path in files:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def content_hashes(paths: list[Path], folder=None) -> list[str]:
    """The sha256 of each file, remembered in the cache folder by size, time and inode, so a
    corpus of many gigabytes is read for its hash once, not on every run."""
    stat_path = cache_dir(folder) / "stat-cache.json"
    stats = inputs.load_stat_cache(stat_path)
    hashes = [inputs.content_hash(Path(path), stats) for path in paths]
    inputs.save_stat_cache(stat_path, stats)
    return hashes


def entry_key(files: list[InputFile], mappings: dict, settings_fields: dict, folder: Path
              ) -> tuple[str, dict]:
    """The entry's key and what it was computed from (kept in the manifest); the settings
    carry the tagger's fingerprint."""
    from negtrend import __version__

    hashes = content_hashes([f.path for f in files], folder)
    described = {
        "format": FORMAT, "negtrend": __version__, "code": code_fingerprint(),
        "files": [{"name": str(f.path), "in_corpus": f.in_corpus, "partitions": f.partitions,
                   "content": digest, "columns": mappings[f.number]}
                  for f, digest in zip(files, hashes, strict=True)],
        "settings": settings_fields,
    }
    text = json.dumps(described, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:24], described


@dataclass(frozen=True)
class Entry:
    key: str
    folder: Path

    @property
    def manifest(self) -> dict:
        return json.loads((self.folder / MANIFEST).read_text(encoding="utf-8"))


def find(folder: Path, key: str) -> Entry | None:
    """The complete entry for ``key``, or None (an entry without its manifest is not one)."""
    entry = Entry(key, folder / key)
    return entry if (entry.folder / MANIFEST).exists() else None


def building(folder: Path, key: str) -> Path:
    """A fresh hidden folder to build an entry in."""
    work = folder / f".{key}.tmp-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    return work


def publish(work: Path, folder: Path, key: str, manifest: dict) -> Entry:
    """Write the manifest last and move the finished entry into place. An entry already
    there (the same key: the same rows) is kept, since a report may be reading it; only the
    example files it lacks are added to it."""
    (work / MANIFEST).write_text(json.dumps(manifest, indent=1, default=str), encoding="utf-8")
    target = folder / key
    if (target / MANIFEST).exists():
        for extra in work.glob("reservoir-*.parquet"):
            if not (target / extra.name).exists():
                os.replace(extra, target / extra.name)
        shutil.rmtree(work, ignore_errors=True)
        return Entry(key, target)
    if target.exists():  # a folder without its manifest is not an entry
        shutil.rmtree(target)
    os.replace(work, target)
    return Entry(key, target)


@contextlib.contextmanager
def locked(folder: Path, key: str):
    """One process builds an entry at a time: a sweep's parallel runs over one corpus wait for
    the first to finish and then read its entry, so the corpus is tagged once."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f".{key}.lock", "w") as handle:
        try:
            import fcntl
        except ImportError:  # Windows: no lock; parallel runs may tag the corpus twice
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def entries(folder=None) -> list[dict]:
    """Every complete entry: key, source, rows, size, when built; and unfinished folders."""
    root = cache_dir(folder)
    found = []
    for path in sorted(root.glob("*")) if root.is_dir() else []:
        if not path.is_dir():
            continue
        size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
        if path.name.startswith("."):
            found.append({"key": path.name, "state": "unfinished", "bytes": size})
            continue
        try:
            manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            found.append({"key": path.name, "state": "unfinished", "bytes": size})
            continue
        found.append({"key": path.name, "state": "complete", "bytes": size,
                      "source": manifest.get("source"), "n_read": manifest.get("n_read"),
                      "built": manifest.get("built"), "classifier":
                      manifest.get("described", {}).get("settings", {}).get("classifier")})
    return found


def clear(folder=None, key: str | None = None) -> int:
    """Remove every entry (or the one ``key``); returns how many folders were removed."""
    root = cache_dir(folder)
    removed = 0
    for path in sorted(root.glob("*")) if root.is_dir() else []:
        if path.is_dir() and (key is None or path.name == key):
            shutil.rmtree(path, ignore_errors=True)
            removed += 1
        elif path.name.endswith(".lock") and key is None:
            path.unlink(missing_ok=True)
    return removed


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")
