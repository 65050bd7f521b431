"""The public claims negtrend can test by name (``config/claims.yaml``): who said what, when,
about which window and direction. Whether the data support one is ``analysis.claims``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from negtrend.data import paths
from negtrend.data.calendar import WINDOW_ORDER
from negtrend.errors import NegtrendError

DIRECTIONS = ("decrease", "increase")


class ClaimError(NegtrendError, ValueError):
    """An unknown or malformed claim."""


@dataclass(frozen=True)
class Claim:
    id: str
    claimant: str
    date: str
    direction: str
    phase: str
    baseline: str
    quote: str
    summary: str
    source: str
    caveat: str = ""
    summary_id: str = ""  # the summary and caveat in Bahasa Indonesia, for reports in "id"
    caveat_id: str = ""


def load_claims(path: str | Path | None = None) -> dict[str, Claim]:
    path = Path(path) if path else paths.config_dir() / "claims.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    claims = {}
    for claim_id, entry in (raw.get("claims") or {}).items():
        for key in ("direction", "phase", "baseline", "summary", "source"):
            if not entry.get(key):
                raise ClaimError(f"{path}: claim '{claim_id}', field '{key}': required")
        if entry["direction"] not in DIRECTIONS:
            raise ClaimError(f"{path}: claim '{claim_id}', field 'direction': expected one of "
                             f"{DIRECTIONS}, got {entry['direction']!r}")
        for key in ("phase", "baseline"):
            if entry[key] not in WINDOW_ORDER:
                raise ClaimError(f"{path}: claim '{claim_id}', field '{key}': expected one of "
                                 f"{WINDOW_ORDER}, got {entry[key]!r}")
        claims[claim_id] = Claim(
            id=claim_id, claimant=str(entry.get("claimant", "")), date=str(entry.get("date", "")),
            direction=entry["direction"], phase=entry["phase"], baseline=entry["baseline"],
            quote=" ".join(str(entry.get("quote", "")).split()),
            summary=" ".join(str(entry["summary"]).split()), source=str(entry["source"]),
            caveat=" ".join(str(entry.get("caveat", "")).split()),
            summary_id=" ".join(str(entry.get("summary_id", "")).split()),
            caveat_id=" ".join(str(entry.get("caveat_id", "")).split()),
        )
    return claims


def get_claim(claim_id: str, path: str | Path | None = None) -> Claim:
    claims = load_claims(path)
    if claim_id not in claims:
        raise ClaimError(f"unknown claim '{claim_id}'; known: {', '.join(claims) or 'none'}")
    return claims[claim_id]


def check_claim_spec(direction: str, phase: str, baseline: str) -> None:
    """A claim stated by hand (``negtrend claim``): its direction and windows must exist, and
    the phase must differ from the baseline."""
    if direction not in DIRECTIONS:
        raise ClaimError(f"direction: expected one of {DIRECTIONS}, got {direction!r}")
    for name, value in (("phase", phase), ("baseline", baseline)):
        if value not in WINDOW_ORDER:
            raise ClaimError(f"{name}: expected one of {WINDOW_ORDER}, got {value!r}")
    if phase == baseline:
        raise ClaimError(f"phase and baseline are both {phase!r}; a claim compares two windows")
