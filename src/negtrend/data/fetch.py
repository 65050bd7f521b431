"""Daily counts with their exposure fetched from Media Cloud and the GDELT DOC 2.0 API, saved
as a counts file (``date, category, count, total, source``) that ``negtrend report`` reads with
the share measure and no ``--map``.

Media Cloud (search API v4, as the official client ``mediacloud/api-client``,
``mediacloud/api.py``, ``SearchApi.story_count_over_time``, calls it):
``GET https://search.mediacloud.org/api/search/count-over-time`` with ``q`` (the query),
``start`` and ``end`` (ISO dates), ``platform=onlinenews-mediacloud`` and ``cs`` (collection
ids, comma-separated); header ``Authorization: Token <API key>``. The answer is
``{"count_over_time": {"counts": [{"date", "count", "total_count", "ratio"}, ...]}}``
(``mediacloud/types.py`` ``CountOverTimePoint``); ``total_count`` is every story the
collection has that day, the exposure. The key is read from ``MEDIACLOUD_API_KEY``. Media
Cloud's FAQ rate-limits some endpoints to 2 requests a minute and its client paces at the
server's declared rate, at most 10 a minute; here requests are 6 s apart and a 429 backs off.

GDELT DOC 2.0 (https://blog.gdeltproject.org/gdelt-doc-2-0-api-debuts/; the ``gdeltdoc``
client, ``alex9smith/gdelt-doc-api``): ``GET https://api.gdeltproject.org/api/v2/doc/doc`` with
``query`` (operators ``theme:CODE`` for a GKG theme, ``sourcecountry:ID`` for a FIPS country),
``mode=timelinevolraw``, ``format=json``, ``startdatetime`` and ``enddatetime``
(``YYYYMMDDHHMMSS``, UTC). The answer is ``{"timeline": [{"series": ..., "data": [{"date":
"20240101T000000Z", "value": N, "norm": M}, ...]}]}``: ``value`` matching articles, ``norm``
all articles monitored in that step (the exposure); a short span comes in steps under a day,
which are summed per UTC day. The API searches a rolling window of about the last 3 months;
older dates are in the bulk GKG files (http://data.gdeltproject.org/gdeltv2/masterfilelist.txt).
GDELT asks for at most one request every 5 s.

Every request goes through :class:`Client`: a rate limiter (:class:`RateLimiter`, with an
injectable clock and sleep), bounded exponential back-off on 429 and 5xx (``Retry-After``
honoured, capped), a short connection probe before the first request so that with no network
the command fails at once with one line, and a cache on disk. A request is split into chunks
(calendar months); each finished chunk's response is kept under
``<NEGTREND_CACHE or data/cache>/fetch/<service>/`` (or ``--cache-dir``), so a rerun after an
interruption fetches only the chunks still missing. A chunk reaching today or later is not
kept: its days are not complete yet.
"""

from __future__ import annotations

import csv
import datetime as dt
import email.utils
import hashlib
import json
import os
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from negtrend.data import paths
from negtrend.errors import NegtrendError

MEDIACLOUD_URL = "https://search.mediacloud.org/api/"
MEDIACLOUD_PLATFORM = "onlinenews-mediacloud"
MEDIACLOUD_KEY_ENV = "MEDIACLOUD_API_KEY"
GDELT_DOC_URL = "https://api.gdeltproject.org/api/v2/doc/doc"
GDELT_WINDOW_DAYS = 90  # the DOC API's rolling window: "the last 3 months"
GDELT_BULK_HINT = ("use the bulk GKG files (http://data.gdeltproject.org/gdeltv2/"
                   "masterfilelist.txt), which negtrend reads as they are (--preset gdelt-gkg, "
                   "labels on theme codes and tone: see the README)")
OUTPUT_COLUMNS = ("date", "category", "count", "total", "source")
USER_AGENT = "negtrend (research toolkit; urllib)"


class FetchError(NegtrendError):
    """A fetch that cannot go on: no network, no key, a refused or unreadable answer."""


@dataclass
class RateLimiter:
    """At most one request every ``interval`` seconds (``clock`` and ``sleep`` injectable)."""

    interval: float
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _last: float | None = None

    def wait(self) -> None:
        if self._last is not None:
            remaining = self._last + self.interval - self.clock()
            if remaining > 0:
                self.sleep(remaining)
        self._last = self.clock()


@dataclass
class Client:
    """HTTP GET of JSON with a rate limit, bounded back-off and a connection probe."""

    limiter: RateLimiter
    retries: int = 5
    backoff: float = 2.0  # first wait; doubled after each failure
    backoff_cap: float = 60.0
    connect_timeout: float = 5.0
    read_timeout: float = 60.0
    sleep: Callable[[float], None] = time.sleep
    requests: int = 0
    _probed: set = field(default_factory=set)

    def probe(self, url: str) -> None:
        """Open and close a TCP connection to the host: no network fails here, quickly."""
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        if (host, port) in self._probed:
            return
        try:
            socket.create_connection((host, port), timeout=self.connect_timeout).close()
        except OSError as exc:
            raise FetchError(f"cannot reach {host}:{port} ({_reason(exc)}); check the network "
                             "connection (no request was made)") from None
        self._probed.add((host, port))

    def get_json(self, url: str, params: dict, headers: dict | None = None):
        self.probe(url)
        full = url + ("&" if "?" in url else "?") + urllib.parse.urlencode(params)
        request = urllib.request.Request(full, headers={"User-Agent": USER_AGENT,
                                                        "Accept": "application/json",
                                                        **(headers or {})})
        host = urllib.parse.urlsplit(url).netloc
        wait = self.backoff
        for attempt in range(self.retries + 1):
            self.limiter.wait()
            self.requests += 1
            try:
                with urllib.request.urlopen(request, timeout=self.read_timeout) as response:
                    body = response.read()
                return _parse_json(body, host)
            except urllib.error.HTTPError as exc:
                body = exc.read()[:300].decode("utf-8", "replace").strip()
                if exc.code != 429 and exc.code < 500:
                    raise FetchError(_refused(host, exc.code, body)) from None
                problem = f"HTTP {exc.code}"
                delay = _retry_after(exc.headers.get("Retry-After"), wait)
            except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
                problem = _reason(exc)
                delay = wait
            if attempt == self.retries:
                raise FetchError(f"{host}: {problem} after {self.retries + 1} attempts; try "
                                 "again later (finished chunks are kept, a rerun resumes)")
            self.sleep(min(delay, self.backoff_cap))
            wait = min(wait * 2, self.backoff_cap)
        raise AssertionError("unreachable")  # pragma: no cover


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None) or exc
    return str(reason) or type(reason).__name__


def _retry_after(value: str | None, default: float) -> float:
    if not value:
        return default
    if value.strip().isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
        return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())
    except (TypeError, ValueError):
        return default


def _refused(host: str, code: int, body: str) -> str:
    if code in (401, 403):
        return (f"{host} refused the request (HTTP {code}): check the API key "
                f"({MEDIACLOUD_KEY_ENV}) and that it may use this endpoint")
    return f"{host} refused the request (HTTP {code}): {body[:200] or 'no message'}"


def _parse_json(body: bytes, host: str):
    try:
        return json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        text = body[:200].decode("utf-8", "replace").strip().replace("\n", " ")
        raise FetchError(f"{host} answered with something that is not JSON: "
                         f"{text or 'an empty body'}") from None


# ---- chunks and the cache --------------------------------------------------------------------

def parse_day(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise FetchError(f"{option} {value!r} is not a date YYYY-MM-DD") from None


def month_chunks(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """``start``..``end`` (inclusive) split at calendar months."""
    if end < start:
        raise FetchError(f"--end {end} is before --start {start}")
    chunks, first = [], start
    while first <= end:
        next_month = (first.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        last = min(end, next_month - dt.timedelta(days=1))
        chunks.append((first, last))
        first = last + dt.timedelta(days=1)
    return chunks


def cache_root(folder=None) -> Path:
    """``folder``, else ``NEGTREND_CACHE``/fetch, else data/cache/fetch of the project."""
    if folder:
        return Path(folder)
    return Path(os.environ.get("NEGTREND_CACHE") or paths.data_dir() / "cache") / "fetch"


@dataclass(frozen=True)
class ChunkCache:
    """One JSON file per finished chunk, named by a hash of the request (never the key)."""

    folder: Path

    def path(self, service: str, url: str, params: dict) -> Path:
        blob = json.dumps([service, url, sorted(params.items())], default=str)
        return self.folder / service / f"{hashlib.sha256(blob.encode()).hexdigest()[:32]}.json"

    def get(self, path: Path):
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # absent, or cut short: fetched again

    def put(self, path: Path, payload) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.part")
        partial.write_text(json.dumps(payload), encoding="utf-8")
        os.replace(partial, path)


@dataclass
class FetchSummary:
    out: Path
    days: int
    chunks: int
    fetched: int
    cached: int
    requests: int
    missing_days: int = 0  # days asked for that the answers did not hold

    def line(self) -> str:
        missing = (f"; {self.missing_days} day(s) asked for had no data in the answers and "
                   "are not in the file" if self.missing_days else "")
        return (f"wrote {self.days} days to {self.out} ({self.chunks} chunks: {self.fetched} "
                f"fetched, {self.cached} from the cache; {self.requests} requests{missing})")


def _fetch_chunks(service: str, client: Client, cache: ChunkCache, url: str, headers: dict,
                  chunk_params: list[tuple[tuple[dt.date, dt.date], dict]], today: dt.date,
                  refresh: bool) -> tuple[list, int, int]:
    payloads, fetched, cached = [], 0, 0
    for (_, last), params in chunk_params:
        path = cache.path(service, url, params)
        payload = None if refresh else cache.get(path)
        if payload is not None:
            cached += 1
        else:
            payload = client.get_json(url, params, headers)
            fetched += 1
            if last < today:  # a chunk still growing is fetched again next time
                cache.put(path, payload)
        payloads.append(payload)
    return payloads, fetched, cached


def write_counts(rows: dict[dt.date, tuple[int, int]], out, category: str, source: str) -> Path:
    """The canonical counts layout, one row a day, written aside and renamed into place."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".part")
    with partial.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(OUTPUT_COLUMNS)
        for day in sorted(rows):
            count, total = rows[day]
            writer.writerow([day.isoformat(), category, count, total, source])
    os.replace(partial, out)
    return out


def slug(text: str) -> str:
    """A category name from a query: lower case, words joined by underscores."""
    return re.sub(r"[^0-9a-z]+", "_", text.lower()).strip("_")[:60] or "query"


def _number(value, what: str, host: str) -> int:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise FetchError(f"{host}: {what} {value!r} is not a number") from None
    if number < 0 or number != int(number):
        raise FetchError(f"{host}: {what} {value!r} is not a whole non-negative number")
    return int(number)


# ---- Media Cloud -----------------------------------------------------------------------------

def mediacloud_counts(payload, host: str = "search.mediacloud.org"
                      ) -> dict[dt.date, tuple[int, int]]:
    """``count_over_time.counts`` as {day: (count, total_count)}."""
    try:
        points = payload["count_over_time"]["counts"]
    except (KeyError, TypeError):
        raise FetchError(f"{host}: the answer has no count_over_time.counts (got keys "
                         f"{sorted(payload) if isinstance(payload, dict) else type(payload)})"
                         ) from None
    rows = {}
    for point in points:
        try:
            day = dt.date.fromisoformat(str(point.get("date"))[:10])
        except (AttributeError, ValueError):
            raise FetchError(f"{host}: count {point!r} has no date YYYY-MM-DD") from None
        rows[day] = (_number(point.get("count"), "count", host),
                     _number(point.get("total_count"), "total_count", host))
    return rows


def fetch_mediacloud(query: str, collections: list[int], start: str, end: str, out, *,
                     category: str | None = None, api_key: str | None = None,
                     base_url: str | None = None, cache_dir=None, refresh: bool = False,
                     client: Client | None = None, today: dt.date | None = None
                     ) -> FetchSummary:
    """Daily story counts for ``query`` in ``collections`` with each day's total stories."""
    key = api_key if api_key is not None else os.environ.get(MEDIACLOUD_KEY_ENV, "")
    if not key.strip():
        raise FetchError(f"{MEDIACLOUD_KEY_ENV} is not set: copy your API key from your "
                         "profile at https://search.mediacloud.org and export "
                         f"{MEDIACLOUD_KEY_ENV}=...")
    if not collections:
        raise FetchError("give at least one --collection (a Media Cloud collection id, e.g. "
                         "34412118 for India - National)")
    first, last = parse_day(start, "--start"), parse_day(end, "--end")
    base = (base_url or os.environ.get("MEDIACLOUD_API_URL") or MEDIACLOUD_URL)
    url = base.rstrip("/") + "/search/count-over-time"
    cs = ",".join(str(c) for c in collections)
    chunk_params = [(chunk, {"q": query, "start": chunk[0].isoformat(),
                             "end": chunk[1].isoformat(), "platform": MEDIACLOUD_PLATFORM,
                             "cs": cs})
                    for chunk in month_chunks(first, last)]
    client = client or Client(RateLimiter(6.0))
    before = client.requests
    payloads, fetched, cached = _fetch_chunks(
        "mediacloud", client, ChunkCache(cache_root(cache_dir)), url,
        {"Authorization": f"Token {key.strip()}"}, chunk_params, today or dt.date.today(),
        refresh)
    host = urllib.parse.urlsplit(url).netloc
    rows = {}
    for payload in payloads:
        rows.update(mediacloud_counts(payload, host))
    rows = {day: value for day, value in rows.items() if first <= day <= last}
    source = f"mediacloud:count-over-time q={query} cs={cs}"
    path = write_counts(rows, out, category or slug(query), source)
    return FetchSummary(path, len(rows), len(chunk_params), fetched, cached,
                        client.requests - before, (last - first).days + 1 - len(rows))


# ---- GDELT DOC 2.0 ---------------------------------------------------------------------------

def gdelt_query(query: str, theme: str | None = None, country: str | None = None) -> str:
    parts = [query.strip()]
    if theme:
        parts.append(f"theme:{theme.strip()}")
    if country:
        parts.append(f"sourcecountry:{country.strip()}")
    return " ".join(p for p in parts if p)


def gdelt_counts(payload, host: str = "api.gdeltproject.org"
                 ) -> dict[dt.date, tuple[int, int]]:
    """``timelinevolraw``: matching articles (``value``) and all articles monitored
    (``norm``), summed per UTC day. An empty answer (``{}``) has no rows."""
    if not isinstance(payload, dict):
        raise FetchError(f"{host}: expected a JSON object with a timeline")
    timeline = payload.get("timeline") or []
    if not timeline:
        return {}
    rows: dict[dt.date, tuple[int, int]] = {}
    for point in timeline[0].get("data") or []:
        stamp = str(point.get("date", ""))
        try:
            day = dt.datetime.strptime(stamp[:8], "%Y%m%d").date()
        except ValueError:
            raise FetchError(f"{host}: timeline date {stamp!r} is not YYYYMMDDTHHMMSSZ"
                             ) from None
        count, total = rows.get(day, (0, 0))
        rows[day] = (count + _number(point.get("value"), "value", host),
                     total + _number(point.get("norm"), "norm", host))
    return rows


def check_gdelt_window(first: dt.date, today: dt.date) -> None:
    oldest = today - dt.timedelta(days=GDELT_WINDOW_DAYS)
    if first < oldest:
        raise FetchError(f"--start {first} is older than the GDELT DOC API's window (about "
                         f"the last 3 months, from {oldest}); for older dates "
                         f"{GDELT_BULK_HINT}")


def fetch_gdelt(query: str, start: str, end: str, out, *, theme: str | None = None,
                country: str | None = None, category: str | None = None,
                base_url: str | None = None, cache_dir=None, refresh: bool = False,
                client: Client | None = None, today: dt.date | None = None) -> FetchSummary:
    """Daily article counts for ``query`` with all articles GDELT monitored each day."""
    first, last = parse_day(start, "--start"), parse_day(end, "--end")
    today = today or dt.datetime.now(dt.UTC).date()
    check_gdelt_window(first, today)
    full_query = gdelt_query(query, theme, country)
    if not full_query:
        raise FetchError("--query is empty (give words, or --theme / --country alone with "
                         "--query '')")
    url = base_url or os.environ.get("GDELT_DOC_API_URL") or GDELT_DOC_URL
    chunk_params = [(chunk, {"query": full_query, "mode": "timelinevolraw", "format": "json",
                             "startdatetime": chunk[0].strftime("%Y%m%d000000"),
                             "enddatetime": chunk[1].strftime("%Y%m%d235959")})
                    for chunk in month_chunks(first, last)]
    client = client or Client(RateLimiter(5.0))
    before = client.requests
    payloads, fetched, cached = _fetch_chunks(
        "gdelt", client, ChunkCache(cache_root(cache_dir)), url, {}, chunk_params, today,
        refresh)
    host = urllib.parse.urlsplit(url).netloc
    rows: dict[dt.date, tuple[int, int]] = {}
    for payload in payloads:
        for day, (count, total) in gdelt_counts(payload, host).items():
            old = rows.get(day, (0, 0))
            rows[day] = (old[0] + count, old[1] + total)
    rows = {day: value for day, value in rows.items() if first <= day <= last}
    source = f"gdelt-doc:timelinevolraw query={full_query}"
    path = write_counts(rows, out, category or slug(query or full_query), source)
    return FetchSummary(path, len(rows), len(chunk_params), fetched, cached,
                        client.requests - before, (last - first).days + 1 - len(rows))
