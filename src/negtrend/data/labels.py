"""Pre-assigned labels: turn a source's own columns into boolean category columns.

A fact-check archive already says what each item is (a verdict tag such as ``SALAH``), and a
labelled dataset has a 0/1 column. A rule maps such a column onto a category id, so the
classifier is not needed when the source already carries the answer:

* ``"tag:SALAH|HOAX|HOAKS"`` - true where column ``tag`` equals one of the values (case-blind);
* ``"title~pemilu|pilpres"`` - true where column ``title`` matches the regular expression
  (case-blind);
* ``"Berita_Hoax"`` - the column itself, read as a boolean (true/false, 1/0, yes/no, ya/tidak);
* ``"V2Themes@ELECTION|ELECTION_FRAUD"`` - true where column ``V2Themes``, a ``;``-separated
  list of codes (each may carry a ``,``-separated offset, as GDELT writes them), holds one of
  the codes (case-blind);
* ``"tone<-5"`` (also ``<=``, ``>``, ``>=``) - true where column ``tone`` is a number below -5;
* rules joined by ``&&`` - true where all of them are (``"V2Themes@ELECTION && tone<-5"``);
* a list of rules - true where any of them is (``["HS_Religion", "HS_Race"]``).

Named maps for known sources live in ``config/categories.yaml`` (``label_maps``).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from negtrend.errors import NegtrendError

# The one boolean vocabulary of negtrend (label columns, gold annotations, training labels);
# each reader decides what a blank means there.
TRUE_WORDS = frozenset({"true", "1", "1.0", "yes", "y", "t", "ya"})
FALSE_WORDS = frozenset({"false", "0", "0.0", "no", "n", "f", "tidak"})


class LabelError(NegtrendError, ValueError):
    """A rule that names a missing column or a column that is not boolean."""


def parse_rules(spec: str | dict | list | None) -> dict[str, str | list[str]]:
    """``"hoaks=tag:SALAH|HOAX"`` or a list of such strings, or a dict -> {category: rule}.

    ``"map:NAME"`` stands for the named map in ``config/categories.yaml``.
    """
    if not spec:
        return {}
    if isinstance(spec, dict):
        return {str(k): [str(r) for r in v] if isinstance(v, list) else str(v)
                for k, v in spec.items()}
    if isinstance(spec, str) and spec.startswith("map:"):
        from negtrend.data import taxonomy

        return parse_rules(taxonomy.label_map(spec[4:]))
    items = [spec] if isinstance(spec, str) else list(spec)
    rules = {}
    for item in items:
        if str(item).startswith("map:"):
            rules.update(parse_rules(str(item)))
            continue
        name, sep, rule = str(item).partition("=")
        if not sep or not name.strip() or not rule.strip():
            raise LabelError(f"label rule {item!r}: expected CATEGORY=RULE, e.g. "
                             "hoaks=tag:SALAH|HOAX")
        rules[name.strip()] = rule.strip()
    return rules


def rule_columns(rules: dict) -> dict[str, list[str]]:
    """The columns each category's rule reads (and every rule's pattern compiled, so a bad
    regular expression is named before any work is done)."""
    return {category: [_split(atom, category)[0]
                       for part in (rule if isinstance(rule, list) else [rule])
                       for atom in _conditions(part)]
            for category, rule in rules.items()}


def check_columns(rules: dict, columns: list[str], source: str = "the data") -> None:
    """Every rule names a column the data has: checked before any work is done."""
    for category, needed in rule_columns(rules).items():
        for column in needed:
            if column not in columns:
                raise LabelError(f"label rule for '{category}' names column '{column}', which is "
                                 f"not in {source}; columns are {sorted(columns)}")


def as_boolean(values: pd.Series, column: str, rows: pd.Series | None = None) -> pd.Series:
    """True/false words as booleans (blank: false). ``rows`` holds the source record numbers
    (``_row``) an error names; without it, positions counted from 1."""
    text = values.astype("string").str.strip().str.lower().fillna("")
    bad = ~text.isin(TRUE_WORDS | FALSE_WORDS | {""})  # blank: not tagged
    if bad.any():
        at = int(bad.to_numpy().argmax())
        where = f"record {int(rows.iloc[at])}" if rows is not None else f"row {at + 1}"
        others = int(bad.sum()) - 1
        raise LabelError(f"column '{column}' is not boolean: {where} holds "
                         f"{values.iloc[at]!r}" + (f" ({others} more rows like it)" if others
                                                   else "")
                         + "; expected one of true/false, 1/0, yes/no")
    return text.isin(TRUE_WORDS)


def column_flags(posts: pd.DataFrame, name: str) -> np.ndarray:
    """A category column as booleans: bools as they are (missing: false), numbers non-zero,
    text as true/false words (a column holding "false" or "0" must not count as tagged)."""
    values = posts[name]
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.to_numpy(dtype=bool, na_value=False)
    if pd.api.types.is_numeric_dtype(values.dtype):
        return values.fillna(0).to_numpy() != 0
    return as_boolean(values, name, posts.get("_row")).to_numpy(dtype=bool)


def apply_rules(posts: pd.DataFrame, rules: dict[str, str]) -> pd.DataFrame:
    """Add one boolean column per rule; the source columns are left as they were."""
    out = posts.copy()
    for category, rule in rules.items():
        parts = rule if isinstance(rule, list) else [rule]
        flags = [_evaluate(posts, category, part) for part in parts]
        out[category] = pd.concat(flags, axis=1).any(axis=1) if len(flags) > 1 else flags[0]
    return out


def _conditions(rule: str) -> list[str]:
    """The conditions a rule joins with ``&&``."""
    return [part.strip() for part in str(rule).split("&&")]


def _evaluate(posts: pd.DataFrame, category: str, rule: str) -> pd.Series:
    flags = [_condition(posts, category, atom) for atom in _conditions(rule)]
    return pd.concat(flags, axis=1).all(axis=1) if len(flags) > 1 else flags[0]


def _condition(posts: pd.DataFrame, category: str, rule: str) -> pd.Series:
    column, kind, argument = _split(rule, category)
    if column not in posts.columns:
        raise LabelError(f"label rule for '{category}' names column '{column}', which is "
                         f"not in the data; columns are {list(posts.columns)}")
    source = posts[column].astype("string").fillna("")
    if kind == "values":
        wanted = {v.strip().lower() for v in argument}
        return source.str.strip().str.lower().isin(wanted).astype(bool)
    if kind == "pattern":
        return source.str.contains(argument, regex=True).astype(bool)
    if kind == "codes":  # one of the codes as a whole item of the list, offset or not
        alternatives = "|".join(re.escape(code) for code in sorted(argument))
        pattern = rf"(?:^|;)\s*(?:{alternatives})\s*(?:,[^;]*)?(?:;|$)"
        return source.str.contains(pattern, case=False, regex=True).astype(bool)
    if kind == "compare":
        operator, threshold = argument
        numbers = pd.to_numeric(posts[column], errors="coerce")  # not a number: false
        return pd.Series(_COMPARE[operator](numbers.to_numpy(dtype=float), threshold),
                         index=posts.index)
    return as_boolean(posts[column], column, posts.get("_row"))


_COMPARE = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}
_COMPARISON = re.compile(r"^\s*([^~:@<>=]+?)\s*(<=|>=|<|>)\s*([-+]?\d+(?:\.\d*)?)\s*$")


def _split(rule: str, category: str = "?"):
    """A condition as (column, kind, argument): kind is pattern (``~``), compare (``<``,
    ``<=``, ``>``, ``>=`` a number), codes (``@``), values (``:``) or boolean."""
    if "~" in rule:
        column, _, pattern = rule.partition("~")
        try:
            return column.strip(), "pattern", re.compile(pattern, re.IGNORECASE)
        except re.error as err:
            raise LabelError(f"label rule {category}={rule}: '{pattern}' is not a valid regular "
                             f"expression ({err})") from None
    compared = _COMPARISON.match(rule)
    if compared:
        column, operator, number = compared.groups()
        return column.strip(), "compare", (operator, float(number))
    if "@" in rule:
        column, _, codes = rule.partition("@")
        return column.strip(), "codes", {c.strip().lower() for c in codes.split("|")}
    if ":" in rule:
        column, _, values = rule.partition(":")
        return column.strip(), "values", values.split("|")
    if set(rule) & set("<>"):
        raise LabelError(f"label rule {category}={rule}: expected COLUMN<NUMBER (or <=, >, "
                         ">=), e.g. tone<-5")
    return rule.strip(), "boolean", None


def apply_to_result(loaded, rules: dict[str, str] | str | list):
    """:func:`apply_rules` on a :class:`negtrend.data.loading.LoadResult`, keeping its
    accounting."""
    import dataclasses

    return dataclasses.replace(loaded, data=apply_rules(loaded.data, parse_rules(rules)))
