"""negtrend: test claims that negative online content rose or fell around elections.

``import negtrend as nt`` gives the public API. Nothing heavy is imported until it is used
(PEP 562): ``nt.build_series`` loads the data layer, ``nt.plots`` matplotlib, and so on, so the
command line starts fast. Library functions return values and never print.

The package is layered, one way (see docs/architecture.md):
``data`` -> ``tagging`` -> ``analysis`` -> ``report`` -> ``run`` -> ``cli``.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# nt.<name> -> the module it stands for
_MODULES = {
    "calendar": "negtrend.data.calendar",
    "encoding": "negtrend.data.encoding",
    "labels": "negtrend.data.labels",
    "loading": "negtrend.data.loading",
    "paths": "negtrend.data.paths",
    "published": "negtrend.data.published",
    "readers": "negtrend.data.readers",
    "series": "negtrend.data.series",
    "sources": "negtrend.data.sources",
    "taxonomy": "negtrend.data.taxonomy",
    "classify": "negtrend.tagging.classify",
    "lexicon": "negtrend.tagging.lexicon",
    "model": "negtrend.tagging.model",
    "textnorm": "negtrend.tagging.textnorm",
    "validation": "negtrend.tagging.validation",
    "changepoints": "negtrend.analysis.changepoints",
    "claims": "negtrend.analysis.claims",
    "notes": "negtrend.analysis.notes",
    "did": "negtrend.analysis.did",
    "effect": "negtrend.analysis.effect",
    "event_study": "negtrend.analysis.event_study",
    "its": "negtrend.analysis.its",
    "placebo": "negtrend.analysis.placebo",
    "power": "negtrend.analysis.power",
    "simulate": "negtrend.analysis.simulate",
    "compare": "negtrend.analysis.compare",
    "engine": "negtrend.analysis.engine",
    "tagging_error": "negtrend.analysis.tagging_error",
    "examples": "negtrend.report.examples",
    "explore": "negtrend.report.explore",
    "index_page": "negtrend.report.index_page",
    "plots": "negtrend.report.plots",
    "records": "negtrend.report.records",
    "sections": "negtrend.report.sections",
    "sentences": "negtrend.report.sentences",
    "tables": "negtrend.report.tables",
    "words": "negtrend.report.words",
    "pipeline": "negtrend.run.pipeline",
    "runner": "negtrend.run.runner",
    "sweep": "negtrend.run.sweep",
    "data": "negtrend.data",
    "tagging": "negtrend.tagging",
    "analysis": "negtrend.analysis",
    "report": "negtrend.report",
    "run": "negtrend.run",
}
# nt.<name> -> (module, attribute)
_NAMES = {
    "Election": ("negtrend.data.calendar", "Election"),
    "get_election": ("negtrend.data.calendar", "get_election"),
    "load_elections": ("negtrend.data.calendar", "load_elections"),
    "windows": ("negtrend.data.calendar", "windows"),
    "LoadResult": ("negtrend.data.loading", "LoadResult"),
    "read_counts": ("negtrend.data.loading", "read_counts"),
    "read_posts": ("negtrend.data.loading", "read_posts"),
    "load_published": ("negtrend.data.published", "load_published"),
    "SeriesResult": ("negtrend.data.series", "SeriesResult"),
    "build_series": ("negtrend.data.series", "build_series"),
    "load_source": ("negtrend.data.sources", "load_source"),
    "EffectResult": ("negtrend.analysis.effect", "EffectResult"),
    "PhaseComparison": ("negtrend.analysis.compare", "PhaseComparison"),
    "compare_periods": ("negtrend.analysis.compare", "compare_periods"),
    "compare_phases": ("negtrend.analysis.compare", "compare_phases"),
    "summary": ("negtrend.report.words", "summary"),
    "plot": ("negtrend.report.plots", "effect_plot"),
    "ReportParams": ("negtrend.run.pipeline", "ReportParams"),
    "ExploreParams": ("negtrend.run.pipeline", "ExploreParams"),
    "prepare": ("negtrend.run.pipeline", "prepare"),
    "trend_report": ("negtrend.run.pipeline", "trend_report"),
}

__all__ = sorted([*_MODULES, *_NAMES])


def __getattr__(name: str):
    if name in _MODULES:
        value = importlib.import_module(_MODULES[name])
    elif name in _NAMES:
        module, attribute = _NAMES[name]
        value = getattr(importlib.import_module(module), attribute)
    else:
        raise AttributeError(f"module 'negtrend' has no attribute {name!r}")
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
