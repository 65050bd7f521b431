"""Every word a report writes, one file per language: ``en.yaml``, ``id.yaml``.

A language is a YAML file here with the keys of ``en.yaml``; it is found by its file name, so
adding a third language means adding one file (``tests/test_words.py`` checks that every
language has every template and that no template uses a field the English one lacks).
Translators edit text, not code.
"""

from __future__ import annotations

import functools
from pathlib import Path
from types import SimpleNamespace

import yaml

FOLDERS = [Path(__file__).resolve().parent]  # where language files are looked for


def _files() -> dict[str, Path]:
    return {path.stem: path for folder in FOLDERS for path in sorted(folder.glob("*.yaml"))}


@functools.cache
def available() -> tuple[str, ...]:
    """The language codes with a file, English first."""
    return tuple(sorted(_files(), key=lambda code: (code != "en", code)))


@functools.cache
def _load(lang: str, path: Path) -> SimpleNamespace:
    return SimpleNamespace(**yaml.safe_load(path.read_text(encoding="utf-8")))


def get(lang: str) -> SimpleNamespace:
    """The words of ``lang`` (``words.NOTES["no_placebos"]``); a ValueError naming the
    languages there are otherwise."""
    if lang not in available():
        raise ValueError(f"lang must be one of {available()}, got {lang!r}")
    return _load(lang, _files()[lang])
