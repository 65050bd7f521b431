"""Every word a report writes comes from one module per language; every language has every
template with the fields the English one has; a third language is one more file."""

import re
import string
from pathlib import Path

import pytest

from negtrend.analysis import compare, simulate
from negtrend.analysis.its import its
from negtrend.analysis.notes import Method, note
from negtrend.report import lang as languages
from negtrend.report import sentences, words

ANALYSIS = Path(words.__file__).resolve().parents[1] / "analysis"


def fields(template: str) -> set[str]:
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in
            string.Formatter().parse(template) if name}


def templates(module):
    """(name, key, template) for every string template of a language."""
    for name, value in vars(module).items():
        items = value.items() if isinstance(value, dict) else enumerate(
            value if isinstance(value, list | tuple) else [value])
        for key, template in items:
            if isinstance(template, dict):
                for inner, text in template.items():
                    yield name, f"{key}.{inner}", text
            elif isinstance(template, str):
                yield name, key, template


def test_every_language_has_every_template_with_no_new_fields():
    english = {(name, key): text for name, key, text in templates(languages.get("en"))}
    assert len(english) > 150
    for code in languages.available():
        other = {(name, key): text for name, key, text in templates(languages.get(code))}
        assert set(other) == set(english), code
        for where, text in other.items():
            assert fields(text) <= fields(english[where]), (code, where)


def test_every_note_code_the_analysis_writes_has_a_template():
    source = "\n".join(p.read_text() for p in ANALYSIS.glob("*.py"))
    codes = set(re.findall(r'\bnote\(\s*"(\w+)"', source))
    codes |= {"no_power_decrease", "no_power_increase"}  # note(f"no_power_{direction}")
    codes |= set(re.findall(r'"(fit_\w+|did_fit\w*|cp_rule_\w+)"', source))
    assert len(codes) > 30
    for code in languages.available():
        missing = codes - set(languages.get(code).NOTES)
        assert not missing, (code, missing)


def test_notes_and_methods_are_written_in_each_language():
    gap = note("windows_not_covered", freq="M", windows=["quiet", "voting"])
    assert words.note_text(gap, "en") == "no M-period is mostly inside: quiet, voting"
    assert words.note_text(gap, "id") == ("tidak ada periode M yang sebagian besar berada di "
                                          "dalam: masa tenang, hari pemungutan suara")
    method = Method(note("fit_robust_nb", nb_alpha=0.01449, df=7), (note("terms_dow"),))
    assert words.method_text(method, "en") == (
        "count GLM with negative binomial weights (NB2 alpha 0.0145 by moments), EWC "
        "autocorrelation-robust errors or quasi-likelihood where larger (t with 7 df); "
        "day-of-week terms")
    assert words.method_text(Method(), "en") == ""


@pytest.fixture(scope="module")
def results():
    sim = simulate.simulate_series(simulate.Scenario(effects={"campaign": 1.5}, volume=2000,
                                                     noise_sd=0.05), seed=11)
    return (compare.compare_phases(sim.series, "sim"),
            its(sim.series, "sim", windows=sim.windows))


def test_a_third_language_is_one_file(tmp_path, monkeypatch, results):
    """A copy of en.yaml with its words changed, dropped beside the others, is a language."""
    english = Path(languages.__file__).with_name("en.yaml").read_text(encoding="utf-8")
    shouting = english.replace("count per day", "COUNT PER DAY").replace(
        "For {category}", "FOR {category}")
    (tmp_path / "zz.yaml").write_text(shouting, encoding="utf-8")
    monkeypatch.setattr(languages, "FOLDERS", [*languages.FOLDERS, tmp_path])
    languages.available.cache_clear()
    try:
        comparison, level = results
        assert "zz" in languages.available()
        assert words.summary(level, "zz").startswith("sim — level change at the campaign")
        lines = sentences.comparison_sentences(comparison, "zz")
        assert lines[0].startswith("FOR sim, the COUNT PER DAY") or lines[0].startswith(
            "FOR sim, the share")
        assert "model_zz" not in words.labels(level) and "zz" in words.labels(level)
    finally:
        monkeypatch.undo()
        languages.available.cache_clear()
    with pytest.raises(ValueError, match="lang must be one of"):
        words.summary(level, "zz")
