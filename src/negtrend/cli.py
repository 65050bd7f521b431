"""The ``negtrend`` command: elections, published series, reports and the index."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from negtrend import calendar, runner

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Test claims that negative online content rose or fell around elections.")


@app.command()
def elections(
    config: Annotated[Path | None, typer.Option(help="elections YAML (default config/)")] = None,
    sources: Annotated[bool, typer.Option("--sources", help="include each date's source")] = False,
) -> None:
    """Print every election phase with its dates (and sources with --sources)."""
    try:
        table = calendar.elections_table(calendar.load_elections(config))
    except calendar.CalendarError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    columns = ["election_id", "phase", "start_date", "end_date", "days", "election_name"]
    if sources:
        columns.append("source")
    with_wide_text = table[columns].to_string(index=False, max_colwidth=200 if sources else 60)
    typer.echo(with_wide_text)


@app.command("published")
def published_series() -> None:
    """List the bundled published series (use them as --data published:SERIES)."""
    from negtrend import published

    table = published.catalog()
    typer.echo(table[["series_id", "categories", "first_period", "last_period", "n_rows"]]
               .to_string(index=False))


def _parse_param(items: list[str]) -> dict:
    params = {}
    for item in items:
        name, sep, raw = item.partition("=")
        if not sep:
            raise typer.BadParameter(f"{item!r}: expected NAME=VALUE (VALUE as JSON or text)")
        try:
            params[name] = json.loads(raw)
        except ValueError:
            params[name] = raw
    return params


@app.command()
def report(
    data: Annotated[str, typer.Option(help="a file path, or published:SERIES")],
    election: Annotated[str, typer.Option(help="election id, see `negtrend elections`")],
    category: Annotated[list[str] | None, typer.Option(
        help="category to compare (repeat); default: all")] = None,
    freq: Annotated[str, typer.Option(help="D, W or M")] = "M",
    map: Annotated[str | None, typer.Option(
        "--map", help="column mapping, e.g. text=title,timestamp=date")] = None,
    kind: Annotated[str, typer.Option(help="auto, posts or counts")] = "auto",
    label: Annotated[list[str] | None, typer.Option(
        help="pre-assigned label rule CATEGORY=RULE, e.g. hoaks=tag:SALAH|HOAX (repeat)")] = None,
    variant: Annotated[str | None, typer.Option(
        help="for published series with conflicting releases: which release to use")] = None,
    timezone: Annotated[str, typer.Option(help="zone for naive timestamps")] = "Asia/Jakarta",
    timestamp_format: Annotated[str | None, typer.Option(help="strptime format")] = None,
    before_days: Annotated[int | None, typer.Option(help="baseline length in days")] = None,
    after_days: Annotated[int | None, typer.Option(help="after-window length in days")] = None,
    baseline: Annotated[str, typer.Option(help="window the others are compared with")] = "before",
    alpha: Annotated[float, typer.Option(help="1 - confidence level")] = 0.05,
    claim: Annotated[str | None, typer.Option(
        help="a claim id from config/claims.yaml to test, e.g. komdigi_2024_11_pilkada")] = None,
    param: Annotated[list[str] | None, typer.Option(
        "--param", "-p", help="any other template parameter NAME=VALUE (repeat)")] = None,
    template: Annotated[str, typer.Option(help="notebook template name or path")] = "trend_report",
    reports_dir: Annotated[Path | None, typer.Option(help="default: reports/")] = None,
    kernel: Annotated[str, typer.Option(help="Jupyter kernel")] = runner.DEFAULT_KERNEL,
) -> None:
    """Render a trend report into reports/<run_key>/ and print its folder."""
    from negtrend import claims, io, labels

    try:
        if claim:
            claims.get_claim(claim)
        params = {
            "data": data,
            "election": election,
            "categories": list(category or []),
            "freq": freq.upper(),
            "column_map": io.parse_column_map(map),
            "kind": kind,
            "labels": labels.parse_rules(label),
            "variant": variant,
            "timezone": timezone,
            "timestamp_format": timestamp_format,
            "before_days": before_days,
            "after_days": after_days,
            "baseline": baseline,
            "alpha": alpha,
            "claim": claim,
        }
        params.update(_parse_param(param or []))
        outcome = runner.run_report(params, template=template, reports_dir=reports_dir,
                                    kernel=kernel)
    except (runner.ParameterError, runner.KernelMissingError, io.LoadError,
            labels.LabelError, claims.ClaimError, typer.BadParameter) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(str(outcome.html))
    if not outcome.ok:
        typer.echo(f"report FAILED: {outcome.error}\n  see {outcome.html}", err=True)
        raise typer.Exit(1)


@app.command()
def index(
    reports_dir: Annotated[Path | None, typer.Option(help="default: reports/")] = None,
) -> None:
    """Write reports/index.html linking every run, and print its path."""
    typer.echo(str(runner.write_index(reports_dir)))


if __name__ == "__main__":
    app()
