"""Categories of negative content and topic tags, from ``config/categories.yaml``.

Ids are stable; labels exist in Bahasa Indonesia and English. ``label_maps`` map labels that a
source already carries (a fact-check verdict, a dataset's 0/1 column) onto category ids, so
such sources need no classifier.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from negtrend.data import paths
from negtrend.errors import NegtrendError

KINDS = ("negative", "topic")


class TaxonomyError(NegtrendError, ValueError):
    """A malformed categories file; names the file, category and field."""


@dataclass(frozen=True)
class Category:
    id: str
    kind: str
    label_id: str
    label_en: str
    definition: str

    def label(self, lang: str = "en") -> str:
        return self.label_id if lang == "id" else self.label_en


def _read(path: str | Path | None) -> tuple[Path, dict]:
    path = Path(path) if path else paths.config_dir() / "categories.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(raw.get("categories"), dict):
        raise TaxonomyError(f"{path}: expected a 'categories:' mapping")
    return path, raw


def load_categories(path: str | Path | None = None) -> dict[str, Category]:
    path, raw = _read(path)
    out = {}
    for category_id, entry in raw["categories"].items():
        for key in ("kind", "label_id", "label_en", "definition"):
            if not entry or not entry.get(key):
                raise TaxonomyError(f"{path}: category '{category_id}', field '{key}': required")
        if entry["kind"] not in KINDS:
            raise TaxonomyError(f"{path}: category '{category_id}', field 'kind': expected one "
                                f"of {KINDS}, got {entry['kind']!r}")
        out[str(category_id)] = Category(str(category_id), entry["kind"], entry["label_id"],
                                         entry["label_en"], " ".join(entry["definition"].split()))
    return out


def negative_ids(path: str | Path | None = None) -> list[str]:
    return [c.id for c in load_categories(path).values() if c.kind == "negative"]


def label_map(name: str, path: str | Path | None = None) -> dict[str, str | list[str]]:
    """The rules that turn a known source's own labels into category ids."""
    path, raw = _read(path)
    maps = raw.get("label_maps") or {}
    if name not in maps:
        raise TaxonomyError(f"{path}: no label map '{name}'; known: {', '.join(maps) or 'none'}")
    categories = load_categories(path)
    unknown = [c for c in maps[name] if c not in categories]
    if unknown:
        raise TaxonomyError(f"{path}: label map '{name}' names unknown categories {unknown}")
    return dict(maps[name])
