"""What a result says about itself, as data: a code and its parameters.

Analysis never writes sentences. A caveat ("only 3 placebo dates fit"), a method description
("NB-weighted count GLM with EWC errors, 7 df") or a reason ("no items in 'before'") is a
:class:`Note`; the report layer writes it in each language from one template per code
(``negtrend/report/lang/<language>.py``), so adding a language never touches the statistics.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Note:
    """``code`` names the template; ``params`` fill it (numbers, window ids, dates as text)."""

    code: str
    params: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"code": self.code, "params": dict(self.params)}


def note(code: str, **params) -> Note:
    return Note(code, params)


@dataclass(frozen=True)
class Method:
    """How a number was got: the model (a note; None when nothing was fitted) and what was
    added to it (seasonal terms, error scaling), written out as one line by the report."""

    model: Note | None = None
    extras: tuple = ()

    def to_dict(self) -> dict:
        return {"model": self.model and self.model.to_dict(),
                "extras": [extra.to_dict() for extra in self.extras]}


NOTHING_FITTED = Method()
