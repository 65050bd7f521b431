"""`negtrend fetch mediacloud|gdelt`: daily counts with their exposure, written as a counts file
the report reads with the share measure. Every request goes to a stub server on 127.0.0.1 that
serves responses written after each API's documented shape (tests/data/fetch/); nothing here
touches the internet, and the rate limit and back-off run on a fake clock."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from negtrend.cli import app
from negtrend.data import fetch, loading

FIXTURES = Path(__file__).parent / "data" / "fetch"
TODAY = dt.date(2026, 12, 3)  # GDELT's window is counted back from here


class Stub:
    """What the stub server answers: first the statuses in ``script`` (with ``headers``),
    then ``route(params)`` as JSON (or ``fail(params)``'s status when it gives one)."""

    def __init__(self, route):
        self.route = route
        self.script: list[int] = []
        self.headers: dict = {}
        self.fail = lambda params: None
        self.log: list[tuple[dict, dict]] = []


@pytest.fixture
def server():
    servers = []

    def start(route):
        stub = Stub(route)

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
                stub.log.append((params, dict(self.headers)))
                status = stub.script.pop(0) if stub.script else stub.fail(params)
                if status:
                    body = b"Please limit requests" if status == 429 else b"unavailable"
                    self.send_response(status)
                    for name, value in stub.headers.items():
                        self.send_header(name, value)
                else:
                    payload = stub.route(params)
                    body = (payload if isinstance(payload, bytes)
                            else json.dumps(payload).encode())
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(httpd)
        stub.url = f"http://127.0.0.1:{httpd.server_address[1]}"
        return stub

    yield start
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()


class FakeClock:
    def __init__(self):
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def client(clock: FakeClock, interval: float = 5.0, **kwargs) -> fetch.Client:
    return fetch.Client(fetch.RateLimiter(interval, clock=clock.clock, sleep=clock.sleep),
                        sleep=clock.sleep, **kwargs)


def fixture_json(name: str):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def mediacloud_route(params):
    return fixture_json(f"mediacloud_{params['start'][:7]}.json")


def gdelt_route(params):
    stamp = params["startdatetime"]
    return fixture_json(f"gdelt_{stamp[:4]}-{stamp[4:6]}.json")


def run_mediacloud(stub, tmp_path, clock, **kwargs):
    return fetch.fetch_mediacloud("hoaks OR hoax", [34412118], "2024-01-30", "2024-02-02",
                                  tmp_path / "mc.csv", api_key="k3y", base_url=stub.url + "/api/",
                                  cache_dir=tmp_path / "cache", client=client(clock, 6.0),
                                  today=TODAY, **kwargs)


def run_gdelt(stub, tmp_path, clock, **kwargs):
    return fetch.fetch_gdelt("hoaks", "2026-10-30", "2026-11-02", tmp_path / "gd.csv",
                             theme="ELECTION", country="ID", base_url=stub.url + "/doc",
                             cache_dir=tmp_path / "cache", client=client(clock), today=TODAY,
                             **kwargs)


def test_mediacloud_writes_the_canonical_counts_layout_read_with_its_total(server, tmp_path):
    stub = server(mediacloud_route)
    summary = run_mediacloud(stub, tmp_path, FakeClock())
    assert (summary.days, summary.chunks, summary.fetched, summary.cached) == (4, 2, 2, 0)
    lines = (tmp_path / "mc.csv").read_text(encoding="utf-8").splitlines()
    source = "mediacloud:count-over-time q=hoaks OR hoax cs=34412118"
    assert lines == ["date,category,count,total,source",
                     f"2024-01-30,hoaks_or_hoax,12,4100,{source}",
                     f"2024-01-31,hoaks_or_hoax,9,3900,{source}",
                     f"2024-02-01,hoaks_or_hoax,15,4200,{source}",
                     f"2024-02-02,hoaks_or_hoax,0,3000,{source}"]
    params, headers = stub.log[0]
    assert params == {"q": "hoaks OR hoax", "start": "2024-01-30", "end": "2024-01-31",
                      "platform": "onlinenews-mediacloud", "cs": "34412118"}
    assert headers["Authorization"] == "Token k3y"
    assert stub.log[1][0]["start"] == "2024-02-01" and stub.log[1][0]["end"] == "2024-02-02"

    loaded = loading.read_counts(tmp_path / "mc.csv")
    assert loaded.n_quarantined == 0 and loaded.n_kept == 4
    assert loaded.data["total"].tolist() == [4100, 3900, 4200, 3000]
    assert set(loaded.data["category"]) == {"hoaks_or_hoax"}


def test_gdelt_sums_steps_per_day_with_all_monitored_articles_as_total(server, tmp_path):
    stub = server(gdelt_route)
    summary = run_gdelt(stub, tmp_path, FakeClock(), category="hoaks")
    assert summary.days == 4
    loaded = loading.read_counts(tmp_path / "gd.csv")
    assert loaded.n_quarantined == 0
    frame = loaded.data
    assert frame["period_start"].dt.strftime("%Y-%m-%d").tolist() == [
        "2026-10-30", "2026-10-31", "2026-11-01", "2026-11-02"]
    assert frame["count"].tolist() == [31, 27, 10, 0]
    assert frame["total"].tolist() == [52000, 49500, 20000, 20500]
    params = stub.log[0][0]
    assert params == {"query": "hoaks theme:ELECTION sourcecountry:ID", "mode": "timelinevolraw",
                      "format": "json", "startdatetime": "20261030000000",
                      "enddatetime": "20261031235959"}


def test_the_rate_limiter_waits_out_the_interval_on_an_injected_clock():
    clock = FakeClock()
    limiter = fetch.RateLimiter(5.0, clock=clock.clock, sleep=clock.sleep)
    limiter.wait()
    clock.now += 1.5  # the request took 1.5 s
    limiter.wait()
    limiter.wait()
    assert clock.sleeps == [3.5, 5.0]


def test_gdelt_requests_are_five_seconds_apart(server, tmp_path):
    stub = server(gdelt_route)
    clock = FakeClock()
    started = time.monotonic()
    run_gdelt(stub, tmp_path, clock)
    assert clock.sleeps == [5.0] and len(stub.log) == 2
    assert time.monotonic() - started < 3  # no real wait


@pytest.mark.parametrize("status", [429, 503])
def test_a_429_or_5xx_backs_off_then_succeeds(server, tmp_path, status):
    stub = server(mediacloud_route)
    stub.script = [status, status]
    clock = FakeClock()
    summary = run_mediacloud(stub, tmp_path, clock)
    assert summary.days == 4 and summary.requests == 4 and len(stub.log) == 4
    assert clock.sleeps[:2] == [2.0, 4.0]  # exponential: 2 s, then 4 s (limiter: already due)


def test_retry_after_is_honoured_and_the_backoff_is_capped_and_bounded(server, tmp_path):
    stub = server(mediacloud_route)
    stub.script = [429]
    stub.headers = {"Retry-After": "7"}
    clock = FakeClock()
    run_mediacloud(stub, tmp_path, clock)
    assert clock.sleeps[0] == 7.0

    stub.script, stub.headers = [503] * 10, {}
    clock = FakeClock()
    mc = client(clock, 0.0, retries=3, backoff=2.0, backoff_cap=5.0)
    with pytest.raises(fetch.FetchError, match="HTTP 503 after 4 attempts"):
        mc.get_json(stub.url + "/api/search/count-over-time", {"q": "x"})
    assert clock.sleeps == [2.0, 4.0, 5.0]


def test_a_cached_chunk_makes_no_request(server, tmp_path):
    stub = server(mediacloud_route)
    run_mediacloud(stub, tmp_path, FakeClock())
    first = (tmp_path / "mc.csv").read_bytes()
    (tmp_path / "mc.csv").unlink()
    summary = run_mediacloud(stub, tmp_path, FakeClock())
    assert (summary.fetched, summary.cached, summary.requests) == (0, 2, 0)
    assert len(stub.log) == 2 and (tmp_path / "mc.csv").read_bytes() == first
    assert "k3y" not in "".join(p.read_text() for p in (tmp_path / "cache").rglob("*.json"))
    summary = run_mediacloud(stub, tmp_path, FakeClock(), refresh=True)
    assert summary.fetched == 2 and len(stub.log) == 4


def test_a_chunk_reaching_today_is_not_kept(server, tmp_path):
    stub = server(gdelt_route)
    fetch.fetch_gdelt("hoaks", "2026-10-30", "2026-11-02", tmp_path / "gd.csv",
                      base_url=stub.url + "/doc", cache_dir=tmp_path / "cache",
                      client=client(FakeClock()), today=dt.date(2026, 11, 2))
    assert len(list((tmp_path / "cache").rglob("*.json"))) == 1  # October only


def test_an_interrupted_fetch_resumes_with_the_missing_chunks_only(server, tmp_path):
    stub = server(mediacloud_route)
    stub.fail = lambda params: 404 if params["start"].startswith("2024-02") else None
    with pytest.raises(fetch.FetchError, match="HTTP 404"):
        run_mediacloud(stub, tmp_path, FakeClock())
    assert not (tmp_path / "mc.csv").exists()
    stub.fail = lambda params: None
    stub.log.clear()
    summary = run_mediacloud(stub, tmp_path, FakeClock())
    assert [params["start"] for params, _ in stub.log] == ["2024-02-01"]
    assert (summary.fetched, summary.cached, summary.days) == (1, 1, 4)


def test_days_without_data_in_the_answer_are_counted_in_the_summary(server, tmp_path):
    stub = server(lambda params: {} if params["startdatetime"] < "202611" else gdelt_route(params))
    summary = run_gdelt(stub, tmp_path, FakeClock())
    assert (summary.days, summary.missing_days) == (2, 2)
    assert "2 day(s) asked for had no data" in summary.line()


def test_an_answer_that_is_not_json_or_a_refused_key_is_one_clear_error(server, tmp_path):
    stub = server(lambda params: b"The specified phrase is too short.")
    with pytest.raises(fetch.FetchError, match="not JSON: The specified phrase is too short"):
        run_gdelt(stub, tmp_path, FakeClock())
    stub = server(mediacloud_route)
    stub.script = [403]
    with pytest.raises(fetch.FetchError, match="HTTP 403.*MEDIACLOUD_API_KEY"):
        run_mediacloud(stub, tmp_path, FakeClock())


def test_gdelt_refuses_a_start_older_than_three_months_and_names_the_gkg(tmp_path):
    with pytest.raises(fetch.FetchError, match=r"3 months.*GKG.*--preset gdelt-gkg"):
        fetch.fetch_gdelt("hoaks", "2026-08-01", "2026-11-02", tmp_path / "gd.csv",
                          base_url="http://127.0.0.1:9/doc", client=client(FakeClock()),
                          today=TODAY)
    assert not (tmp_path / "gd.csv").exists()


def one_error_line(result) -> str:
    assert result.exit_code == 2, (result.output, result.exception)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    return lines[0]


def test_a_missing_api_key_is_one_line_and_exit_2(tmp_path, monkeypatch):
    monkeypatch.delenv("MEDIACLOUD_API_KEY", raising=False)
    result = CliRunner().invoke(app, ["fetch", "mediacloud", "--query", "hoaks", "--collection",
                                      "1", "--start", "2024-01-01", "--end", "2024-01-31",
                                      "--out", str(tmp_path / "o.csv")])
    assert "MEDIACLOUD_API_KEY is not set" in one_error_line(result)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("service", ["gdelt", "mediacloud"])
def test_no_network_fails_fast_with_one_line(tmp_path, monkeypatch, service):
    port = closed_port()
    monkeypatch.setenv("GDELT_DOC_API_URL", f"http://127.0.0.1:{port}/api/v2/doc/doc")
    monkeypatch.setenv("MEDIACLOUD_API_URL", f"http://127.0.0.1:{port}/api/")
    monkeypatch.setenv("MEDIACLOUD_API_KEY", "k3y")
    monkeypatch.setenv("NEGTREND_CACHE", str(tmp_path / "cache"))
    start = dt.date.today() - dt.timedelta(days=10)
    args = ["fetch", service, "--query", "hoaks", "--start", start.isoformat(),
            "--end", (start + dt.timedelta(days=3)).isoformat(), "--out", str(tmp_path / "o.csv")]
    if service == "mediacloud":
        args += ["--collection", "1"]
    started = time.monotonic()
    result = CliRunner().invoke(app, args)
    assert time.monotonic() - started < 3
    assert f"cannot reach 127.0.0.1:{port}" in one_error_line(result)


def generated_mediacloud(params):
    """A year of days: a total of 1000-1400 stories a day and a share of 1-2%."""
    first = dt.date.fromisoformat(params["start"])
    last = dt.date.fromisoformat(params["end"])
    counts, day = [], first
    while day <= last:
        total = 1000 + (day.toordinal() * 37) % 400
        counts.append({"date": f"{day} 00:00:00", "count": total * (10 + day.day % 10) // 1000,
                       "total_count": total, "ratio": None})
        day += dt.timedelta(days=1)
    return {"count_over_time": {"counts": counts}}


def test_a_report_on_a_fetched_file_rests_on_the_share(server, tmp_path):
    from negtrend.analysis.compare import compare_phases
    from negtrend.run import pipeline

    stub = server(generated_mediacloud)
    out = tmp_path / "mc.csv"
    fetch.fetch_mediacloud("hoaks", [1], "2023-08-01", "2024-05-31", out, api_key="k",
                           base_url=stub.url + "/api/", cache_dir=tmp_path / "cache",
                           client=client(FakeClock(), 6.0), today=TODAY)
    prepared = pipeline.prepare(str(out))
    assert prepared.loaded.kind == "counts"
    built = pipeline.election_series(prepared, "pemilu2024", freq="W")
    assert compare_phases(built.series, "hoaks").primary_measure == "share"
