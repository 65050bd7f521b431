"""Categories of negative content, topic tags and mention tags, from ``config/categories.yaml``.

Ids are stable; labels exist in Bahasa Indonesia and English. A ``mention`` category is the
companion of a negative one (``of``): content that talks about the thing (news, complaints,
warnings, jokes) without being it (a promotion, an offer, a scam attempt). A tagger counts an
item under one or the other, never both. ``label_maps`` map labels that a
source already carries (a fact-check verdict, a dataset's 0/1 column) onto category ids, so
such sources need no classifier.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from negtrend.data import paths
from negtrend.errors import NegtrendError

KINDS = ("negative", "topic", "mention")


class TaxonomyError(NegtrendError, ValueError):
    """A malformed categories file; names the file, category and field."""


@dataclass(frozen=True)
class Category:
    id: str
    kind: str
    label_id: str
    label_en: str
    definition: str
    of: str | None = None  # mention: the negative category it talks about
    text_label_en: str | None = None  # what a tagger of posts' text finds, when not the thing
    text_label_id: str | None = None

    def label(self, lang: str = "en") -> str:
        return self.label_id if lang == "id" else self.label_en

    def text_label(self, lang: str = "en") -> str | None:
        """What a tagger reading posts' text counts under this id, when that is not what the
        category means (a lexicon finds posts *calling* something a hoax, not hoaxes)."""
        return self.text_label_id if lang == "id" else self.text_label_en


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
        if (entry["kind"] == "mention") != bool(entry.get("of")):
            raise TaxonomyError(f"{path}: category '{category_id}', field 'of': a mention "
                                "category names the negative category it talks about (and "
                                "only a mention category has 'of')")
        out[str(category_id)] = Category(str(category_id), entry["kind"], entry["label_id"],
                                         entry["label_en"], " ".join(entry["definition"].split()),
                                         entry.get("of"), entry.get("text_label_en"),
                                         entry.get("text_label_id"))
    for category in out.values():
        if category.of is not None and out.get(category.of) is None:
            raise TaxonomyError(f"{path}: category '{category.id}', field 'of': "
                                f"'{category.of}' is not a category")
    return out


def mentions(path: str | Path | None = None) -> dict[str, str]:
    """Each mention category and the negative category it talks about."""
    return {c.id: c.of for c in load_categories(path).values() if c.kind == "mention"}


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


def tagger_quality(tagger: str = "lexicon", path: str | Path | None = None
                   ) -> dict[str, list[dict]]:
    """Measured precision and recall of a default tagger per category, each with the data it
    was measured on (``config/quality.yaml``, written by benchmarks/quality_lexicon.py); a
    category without an entry has not been measured."""
    path = Path(path) if path else paths.config_dir() / "quality.yaml"
    if not path.is_file():
        return {}
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(c): list(rows or []) for c, rows in (raw.get(tagger) or {}).items()}
