"""Figures: one theme, captions in every file, and readable without colour.

The readability tests look at what was drawn (artist styles) and at rendered pixels converted
to luminance, and each has a negative control: the same check on a hue-only style must fail.
"""

import itertools
import math

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from PIL import Image

from negtrend.analysis import simulate
from negtrend.data.series import SeriesResult
from negtrend.report import plots


def luminance(rgba) -> np.ndarray:
    """Relative luminance (0 black .. 1 white) of sRGB(A) values, alpha over white."""
    rgba = np.asarray(rgba, float)
    rgb = rgba[..., :3] * rgba[..., 3:4] + (1 - rgba[..., 3:4])
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def rendered(fig: Figure) -> np.ndarray:
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba(), float) / 255


@pytest.fixture(scope="module")
def sim():
    return simulate.simulate_series(simulate.Scenario(effects={"campaign": 1.5}), seed=2)


@pytest.fixture(scope="module")
def four(sim):
    frame = sim.series.frame.copy()
    frame["b"], frame["c"], frame["d"] = 2 * frame["sim"], frame["sim"] // 2, frame["sim"] + 3
    return SeriesResult(frame, ["sim", "b", "c", "d"], "D", "total")


def forest_rows():
    nan = math.nan
    return pd.DataFrame({
        "election": ["pemilu2019"] * 3 + ["pemilu2024"] * 2,
        "category": ["hoax", "hate", "all", "hoax", "hate"],
        "estimate": [1.4, 0.7, 1.05, 2.0, nan], "ci_low": [1.2, 0.5, 0.9, 1.3, nan],
        "ci_high": [1.6, 0.95, 1.2, 3.1, nan],
    })


def line_styles_distinct(lines) -> bool:
    """Every pair of series differs in line style or marker, or clearly in grey level."""
    for a, b in itertools.combinations(lines, 2):
        if (a.get_linestyle(), a.get_marker()) != (b.get_linestyle(), b.get_marker()):
            continue
        if abs(luminance(to_rgba(a.get_color())) - luminance(to_rgba(b.get_color()))) < 0.15:
            return False
    return True


def band_signatures(windows, style) -> dict:
    """Mean and spread of the luminance inside each shaded window, from rendered pixels."""
    fig = Figure(figsize=(12, 3), dpi=100)
    ax = fig.add_subplot()
    saved, style = dict(plots.WINDOW_STYLE), dict(style)
    plots.WINDOW_STYLE.clear()
    plots.WINDOW_STYLE.update(style)
    try:
        plots._shade(ax, windows)
    finally:
        plots.WINDOW_STYLE.clear()
        plots.WINDOW_STYLE.update(saved)
    ax.set_xlim(windows["start"].min(), windows["end"].max() + pd.Timedelta(days=1))
    ax.set_axis_off()
    image = luminance(rendered(fig))
    height = image.shape[0]
    out = {}
    for row in windows.itertuples():
        x0, x1 = (ax.transData.transform([(mdates.date2num(pd.Timestamp(d)), 0)])[0][0]
                  for d in (row.start, row.end + pd.Timedelta(days=1)))
        left, right = int(math.ceil(x0)) + 1, int(math.floor(x1)) - 1
        middle = (left + right) // 2
        left, right = max(left, middle - 15), min(right, middle + 15)
        block = image[height // 4: 3 * height // 4, left:right + 1]
        out[row.window] = (float(block.mean()), float(block.std()))
    return out


def bands_distinct(signatures) -> bool:
    return all(abs(a[0] - b[0]) >= 0.03 or abs(a[1] - b[1]) >= 0.03
               for a, b in itertools.combinations(signatures.values(), 2))


def test_one_theme_applied_to_every_figure(sim, four):
    assert isinstance(plots.THEME, dict) and plots.THEME["axes.spines.top"] is False
    figures = [plots.trend(four, sim.windows), plots.small_multiples(four, sim.windows),
               plots.forest(forest_rows()), plots.event_study_plot(pd.DataFrame())]
    for fig in figures:
        assert isinstance(fig, Figure)
        assert plots.caption_of(fig)
        for ax in fig.axes:
            if ax.get_visible():
                assert not ax.spines["top"].get_visible()
                assert not ax.spines["right"].get_visible()


def test_trend_categories_differ_without_colour(four, sim, monkeypatch):
    fig = plots.trend(four, sim.windows, title="t")
    lines = [line for line in fig.axes[0].get_lines() if line.get_label() in four.categories]
    assert len(lines) == 4
    assert len({(line.get_linestyle(), line.get_marker()) for line in lines}) == 4
    assert line_styles_distinct(lines)
    # negative control: hue-only styles (same line, no marker, similar grey) must fail
    monkeypatch.setattr(plots, "LINE_STYLES", ["-"])
    monkeypatch.setattr(plots, "MARKERS", [""])
    monkeypatch.setattr(plots, "LINE_COLORS", ["#D55E00", "#009E73", "#CC79A7", "#0072B2"])
    hue_only = plots.trend(four, sim.windows)
    lines = [line for line in hue_only.axes[0].get_lines() if line.get_label() in four.categories]
    assert not line_styles_distinct(lines)


def test_window_shading_differs_in_hatching_or_grey_level(sim):
    fig = plots.trend(sim.series, sim.windows)
    spans = {p.get_label(): p for p in fig.axes[0].patches if p.get_label().startswith("win")}
    assert len(spans) == 5
    for (_, a), (_, b) in itertools.combinations(spans.items(), 2):
        assert a.get_hatch() != b.get_hatch() or abs(
            luminance(a.get_facecolor()) - luminance(b.get_facecolor())) >= 0.05
    # rendered pixels in grayscale: every pair of windows looks different
    # (every window drawn 20 days wide, so even the one-day ones have pixels to measure)
    starts = pd.date_range("2024-01-01", periods=5, freq="20D")
    wide = pd.DataFrame({"window": list(plots.WINDOW_STYLE), "start": starts,
                         "end": starts + pd.Timedelta(days=19)})
    assert bands_distinct(band_signatures(wide, plots.WINDOW_STYLE))
    # negative control: near-isoluminant hues without hatching cannot be told apart
    hue_only = {name: {"color": color, "hatch": None} for name, color in zip(
        plots.WINDOW_STYLE, ["#e69f00", "#56b4e9", "#cc79a7", "#a6a6a6", "#b0a060"],
        strict=True)}
    assert not bands_distinct(band_signatures(wide, hue_only))


def test_forest_marks_the_verdict_by_shape_and_fill():
    fig = plots.forest(forest_rows(), title="campaign vs before")
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    assert [t.get_text() for t in ax.get_yticklabels()][0] == "pemilu2019 · hoax"
    points = {line.get_label().removeprefix("verdict: "): line for line in ax.get_lines()
              if line.get_label().startswith("verdict:")}
    assert set(points) == {"higher", "lower", "inconclusive", "not estimable"}
    markers = {verdict: line.get_marker() for verdict, line in points.items()}
    assert len(set(markers.values())) == 4  # the shape alone tells the verdict
    assert to_rgba(points["inconclusive"].get_markerfacecolor()) == to_rgba("white")
    assert luminance(to_rgba(points["higher"].get_markerfacecolor())) < 0.5  # filled
    assert any(list(line.get_xdata()) == [1.0, 1.0] for line in ax.get_lines())  # line at 1
    texts = [t.get_text() for t in ax.texts]
    assert "1.40 [1.20, 1.60]" in texts and "not estimable" in texts
    assert "triangle" in plots.caption_of(fig)
    # verdicts are computed from the interval when the rows do not carry them
    assert "verdict" not in forest_rows()


def test_forest_rows_from_metrics_records():
    record = {"election": {"id": "pemilu2019"}, "comparisons": [{
        "category": "hoax", "primary_measure": "share", "ratios": [
            {"window": "campaign", "measure": "share", "estimate": 1.5, "ci_low": 1.2,
             "ci_high": 1.9, "verdict": "higher"},
            {"window": "campaign", "measure": "count_per_day", "estimate": 2.0, "ci_low": 1.1,
             "ci_high": 3.0, "verdict": "higher"},
            {"window": "voting", "measure": "share", "estimate": 1.0, "ci_low": 0.5,
             "ci_high": 2.0, "verdict": "inconclusive"}]}]}
    rows = plots.forest_rows([record])
    assert rows[["label", "estimate", "verdict"]].values.tolist() == [
        ["pemilu2019 · hoax", 1.5, "higher"]]
    assert isinstance(plots.forest(rows), Figure)


def test_small_multiples_one_panel_per_category(four, sim):
    fig = plots.small_multiples(four, sim.windows, measure="share", title="by category")
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title(loc="left") for ax in panels] == four.categories
    assert len({ax.get_xlim() for ax in panels}) == 1  # shared time axis
    assert len({ax.get_ylim() for ax in panels}) > 1  # each its own scale
    for ax in panels:
        assert sum(p.get_label().startswith("window:") for p in ax.patches) == 5
    styles = {(ax.get_lines()[0].get_linestyle(), ax.get_lines()[0].get_marker())
              for ax in panels}
    assert len(styles) == 4
    with pytest.raises(ValueError):
        plots.small_multiples(SeriesResult(four.frame, [], "D", "total"))


def test_save_figure_writes_png_svg_and_the_caption(tmp_path, sim):
    fig = plots.trend(sim.series, sim.windows, title="Simulated <trend> & co")
    paths = plots.save_figure(fig, tmp_path, "trend")  # the historical call still works
    assert [p.name for p in paths] == ["trend.png", "trend.svg", "trend.txt"]
    assert paths[0].stat().st_size > 5000
    caption = paths[2].read_text(encoding="utf-8").strip()
    assert caption == plots.caption_of(fig) and "campaign" in caption
    svg = paths[1].read_text(encoding="utf-8")
    assert svg.count("<title>") == 1 and "&lt;trend&gt; &amp; co" in svg
    assert svg.index("<title>") < svg.index("<desc>") < svg.index("<metadata")
    assert "<text" in svg  # svg.fonttype none: text is text
    assert "Shaded bands mark the election windows" in Image.open(paths[0]).text["Description"]

    own = plots.save_figure(Figure(), tmp_path, "blank", caption="A blank  figure.",
                            formats=("svg",))
    assert [p.name for p in own] == ["blank.svg", "blank.txt"]
    assert "<desc>A blank figure.</desc>" in own[0].read_text(encoding="utf-8")
    bare = plots.save_figure(Figure(), tmp_path, "bare", ("png",))
    assert [p.name for p in bare] == ["bare.png"]  # no caption, no caption file


def shown_tick_labels(axis) -> list[str]:
    """The tick labels a reader sees (major, and minor ones a log axis may label): non-empty
    text at ticks inside the view limits. Call after the figure is drawn."""
    low, high = sorted(axis.get_view_interval())
    slack = 1e-9 * max(abs(low), abs(high), 1.0)
    ticks = axis.get_major_ticks() + axis.get_minor_ticks()
    return [tick.label1.get_text() for tick in ticks
            if low - slack <= tick.get_loc() <= high + slack and tick.label1.get_visible()
            and tick.label1.get_text().strip()]


@pytest.fixture(scope="module")
def report_figures(sim, four):
    """Every kind of figure a report or an exploration saves, on simulated series: daily and
    monthly, real estimator results, and narrow or wide ratio ranges that strain the ticks."""
    from dataclasses import replace

    from negtrend.analysis import event_study, its, placebo
    from negtrend.report import tables

    lead = simulate.simulate_series(simulate.Scenario(lead_days=210, effects={"campaign": 1.3}),
                                    seed=5)
    monthly = simulate.aggregate(lead, "M")
    voting = sim.windows.set_index("window").loc["voting", "start"]
    figures = {}
    weeks_six = SeriesResult(sim.series.frame.iloc[:45], ["sim"], "D", "total")
    for name, series, windows in (("daily", four, sim.windows),
                                  ("six_weeks", weeks_six, sim.windows.iloc[:1]),
                                  ("monthly", monthly, lead.windows)):
        for measure in tables.figure_measures(series):
            figures[f"trend_{measure}_{name}"] = plots.trend(series, windows, measure=measure)
            figures[f"categories_{measure}_{name}"] = plots.small_multiples(
                series, windows, measure=measure)
    results = {
        "its_daily": its.its(sim.series, "sim", windows=sim.windows),
        "its_monthly": its.its(monthly, "sim", windows=lead.windows),
        "event_study": event_study.event_study(sim.series, "sim", voting, windows=sim.windows),
        "placebo_daily": placebo.placebo(lead.series, lead.windows, "sim"),
        "placebo_monthly": placebo.placebo(monthly, lead.windows, "sim"),
    }
    base = results["placebo_daily"]
    assert len(base.table) >= 5
    for name, estimates, real in (
            # the report's bug: a narrow range gave "1, 1, 1.1, 1.1, 1.1, 1.1, 1.2"
            ("placebo_narrow", [0.99, 1.0, 1.01, 1.08, 1.09, 1.1], 1.17),
            ("placebo_very_narrow", [1.001, 1.002, 1.004, 1.005], 1.006),
            ("placebo_wide", [0.05, 0.3, 0.9, 1.1, 4.0, 60.0], 2.0),
            ("placebo_one", [1.2], 1.2)):
        results[name] = replace(base, table=pd.DataFrame({"estimate": estimates}),
                                effect={**base.effect, "estimate": real})
    for name, result in results.items():
        figures[name] = plots.effect_plot(result)
    weeks = np.arange(-4, 4)
    for name, centre in (("event_study_narrow", 1.02), ("event_study_wide", 8.0)):
        estimate = centre ** (weeks / 4)
        figures[name] = plots.event_study_plot(pd.DataFrame({
            "week": weeks, "start": voting + pd.to_timedelta(7 * weeks, unit="D"),
            "estimate": estimate, "ci_low": estimate / 1.01, "ci_high": estimate * 1.01,
            "reference": weeks < -2}))
    narrow = forest_rows().assign(estimate=[1.01, 1.02, 1.03, 1.04, 1.05],
                                  ci_low=[1.005, 1.01, 1.02, 1.03, 1.04],
                                  ci_high=[1.02, 1.03, 1.04, 1.05, 1.06])
    wide = forest_rows().assign(estimate=[0.02, 0.5, 3.0, 40.0, 1.0],
                                ci_low=[0.01, 0.3, 2.0, 20.0, 0.5],
                                ci_high=[0.04, 0.8, 5.0, 90.0, 2.0])
    figures.update(forest=plots.forest(forest_rows()), forest_narrow=plots.forest(narrow),
                   forest_wide=plots.forest(wide))
    return figures


def test_no_figure_repeats_a_tick_label(report_figures):
    repeated = {}
    for name, fig in report_figures.items():
        FigureCanvasAgg(fig).draw()
        for i, ax in enumerate(ax for ax in fig.axes if ax.get_visible()):
            for which, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
                labels = shown_tick_labels(axis)
                if len(labels) != len(set(labels)):
                    repeated[f"{name} axes {i} {which}"] = labels
    assert not repeated, repeated


def test_ratio_axes_have_enough_ticks_and_placebo_counts_are_whole(report_figures):
    for name, fig in report_figures.items():
        FigureCanvasAgg(fig).draw()
        ax = fig.axes[0]
        if name.startswith("placebo"):
            assert len(shown_tick_labels(ax.xaxis)) >= 2, name
            counts = shown_tick_labels(ax.yaxis)
            assert counts and all(label.isdigit() for label in counts), (name, counts)
        elif name.startswith("forest"):
            assert len(shown_tick_labels(ax.xaxis)) >= 3, name
        elif name.startswith("event_study"):
            assert len(shown_tick_labels(ax.yaxis)) >= 3, name


def test_trend_shows_the_whole_series_with_the_windows_shaded():
    # a monthly year of counts around an election whose windows cover only its second half
    # (the published Komdigi series and pilkada2024): every month is drawn, not only July on
    starts = pd.date_range("2024-01-01", periods=12, freq="MS")
    frame = pd.DataFrame({"period_end": starts + pd.offsets.MonthEnd(0),
                          "days": starts.days_in_month, "hoax": np.arange(150, 162),
                          "total": 3000}, index=pd.Index(starts, name="period"))
    series = SeriesResult(frame, ["hoax"], "M", "total")
    windows = simulate.windows_for(simulate.Scenario(start="2024-07-27", before_days=60,
                                                     campaign_days=60, after_days=20))
    assert windows["start"].min() > starts[2]
    assert windows["end"].max() < frame["period_end"].iloc[-1]
    for fig in (plots.trend(series, windows), plots.small_multiples(series, windows)):
        ax = fig.axes[0]
        low, high = ax.get_xlim()
        assert low <= mdates.date2num(starts[0])
        assert high >= mdates.date2num(frame["period_end"].iloc[-1])
        line = next(line for line in ax.get_lines() if line.get_label() == "hoax")
        assert len(line.get_xdata()) == 12
        shaded = [p.get_label() for p in ax.patches if p.get_label().startswith("window:")]
        assert len(shaded) == 5
    legend = [t.get_text() for t in plots.trend(series, windows).axes[0].get_legend().get_texts()]
    assert "window: campaign" in legend and "hoax" in legend


def test_thumbnail_is_a_small_png_of_the_series_with_the_windows_shaded(tmp_path, sim, four):
    fig = plots.thumbnail(four, sim.windows, measure="share")
    [ax] = fig.axes
    assert len(ax.lines) == 4 and not ax.axison  # every category; no axes, ticks or labels
    assert len(ax.patches) == len(sim.windows)  # each window shaded
    assert not ax.texts and not ax.get_title() and ax.get_legend() is None
    [png, caption] = plots.save_figure(fig, tmp_path, "thumbnail", formats=("png",))
    assert png.name == "thumbnail.png" and caption.name == "thumbnail.txt"
    with Image.open(png) as image:
        assert image.size == plots.THUMBNAIL_SIZE == (240, 90)
        pixels = np.asarray(image.convert("L"))
    assert (pixels < 100).any() and pixels[0, 0] < 250  # a dark line; the windows shaded
    # the y axis starts at zero and the peak is not cut off
    low, high = ax.get_ylim()
    assert low == 0 and high > max(np.nanmax(line.get_ydata()) for line in ax.lines)
