"""Telegram Desktop chat exports (``result.json``), streamed: a 2 GB export is never held whole.

An export is one chat, ``{"name", "type", "id", "messages": [...]}``, or a whole account with
its chats under ``chats.list`` (and ``left_chats.list``). Each message has ``date`` (local time
of the exporting machine, without an offset: not usable) and ``date_unixtime`` (epoch seconds
as a string: the one to use), and ``text``, either a string or a list of strings and
``{"type": "bold", "text": "..."}`` pieces, flattened here. Service messages (joins, pins)
carry no text of their own and are skipped, and counted.

The file is parsed as a stream of JSON events (ijson, its C backend): memory stays at one
message plus one batch, whatever the size of the export (docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

MESSAGE = "messages.item"
RAW_COLUMNS = ("text", "date_unixtime", "chat", "chat_type", "message_id", "author")
"""What the table reader sees (``readers`` format ``telegram``): text columns and ``_row``."""


def flatten_text(value) -> str:
    """A message's text as one string: a string as it is; a list joins its strings and the
    ``text`` of its pieces. Anything else is not a Telegram text (ValueError)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        parts = []
        for piece in value:
            if isinstance(piece, str):
                parts.append(piece)
            elif isinstance(piece, dict) and isinstance(piece.get("text", ""), str):
                parts.append(piece.get("text", ""))
            else:
                raise ValueError(f"a text piece of type {type(piece).__name__}")
        return "".join(parts)
    raise ValueError(f"text of type {type(value).__name__}, expected a string or a list")


@dataclass
class Counts:
    """What a read went through: messages kept, service messages skipped, chats seen."""

    messages: int = 0
    service: int = 0
    chats: list = field(default_factory=list)


def _chat_prefix(prefix: str) -> str:
    """The chat a message prefix belongs to: "" for a one-chat export, else e.g.
    "chats.list.item"."""
    return prefix[: -len(MESSAGE)].rstrip(".")


def messages(path: str | Path, counts: Counts | None = None) -> Iterator[dict]:
    """Every message of the export, in file order, with its chat's name and type: ``_row``
    is its ordinal among messages (1-based), ``date_unixtime`` as written, ``problem`` says
    why it cannot be used (a date that is not epoch seconds, a text of another type), else
    None. A one-chat export (the usual case) is read by ijson's C item builder; an account
    export event by event, to keep each message with its chat."""
    import ijson

    counts = counts if counts is not None else Counts()
    chat = _single_chat(path)
    with open(path, "rb") as handle:
        if chat is not None:
            counts.chats.append(chat.get("name"))
            rows = ((chat, item) for item in ijson.items(handle, MESSAGE, use_float=True))
        else:
            rows = _account_messages(ijson, handle, counts)
        row = 0
        for owner, item in rows:
            if item.get("type", "message") != "message":
                counts.service += 1
                continue
            row += 1
            counts.messages += 1
            yield _record(item, owner, row)


def _single_chat(path: str | Path) -> dict | None:
    """The name, type and id of a one-chat export (written before its messages), or None
    for an account export (chats under ``chats.list``)."""
    import ijson

    chat = {}
    with open(path, "rb") as handle:
        for prefix, event, value in ijson.parse(handle):
            if prefix == "" and event == "map_key":
                if value == "messages":
                    return chat
                if value == "chats":
                    return None
            elif prefix in ("name", "type", "id") and event in ("string", "number"):
                chat[prefix] = value
    return chat


def _account_messages(ijson, handle, counts: Counts) -> Iterator[tuple[dict, dict]]:
    """(chat, message) for every message of every chat of an account export."""
    chats: dict[str, dict] = {}
    events = ijson.parse(handle, use_float=True)
    for prefix, event, value in events:
        if event == "start_map" and prefix.endswith(MESSAGE):
            item = _one_object(ijson.ObjectBuilder(), events, event, value)
            yield chats.get(_chat_prefix(prefix), {}), item
        elif event in ("string", "number") and prefix.rsplit(".", 1)[-1] in (
                "name", "type", "id"):
            owner, _, key = prefix.rpartition(".")
            if owner.endswith("list.item"):
                chats.setdefault(owner, {})[key] = value
                if key == "name":
                    counts.chats.append(value)


def _one_object(builder, events, event, value) -> dict:
    """The object that ``event`` opens, built from the stream up to its closing event (the
    stream is left just after it)."""
    builder.event(event, value)
    depth = 1
    for _, event, value in events:
        builder.event(event, value)
        depth += event in ("start_map", "start_array")
        depth -= event in ("end_map", "end_array")
        if depth == 0:
            break
    return builder.value


def _record(item: dict, chat: dict, row: int) -> dict:
    problem = None
    try:
        text = flatten_text(item.get("text", ""))
    except ValueError as error:
        text, problem = None, f"text: {error}"
    stamp = item.get("date_unixtime")
    if not (isinstance(stamp, int) or (isinstance(stamp, str) and stamp.isdigit())):
        problem = problem or f"date_unixtime: {stamp!r} is not epoch seconds"
        stamp = None
    return {"text": text, "date_unixtime": stamp, "chat": chat.get("name"),
            "chat_type": chat.get("type"), "message_id": item.get("id"),
            "author": item.get("from"), "_row": row, "problem": problem}


def raw_batches(path: str | Path, batch_size: int = 100_000, counts: Counts | None = None
                ) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    """The messages as the table reader's ``(frame, raw_quarantine)`` pairs: every column as
    text plus ``_row`` (the message's ordinal), and the messages that cannot be used (a date
    that is not epoch seconds, a text of another type) set aside as ``bad_message`` with the
    reason. The last pair is yielded even when empty, as every reader does."""
    import json

    from negtrend.data.columns import raw_quarantine

    kept: list[dict] = []
    bad: list[tuple] = []
    for record in messages(path, counts):
        if record["problem"]:
            bad.append((record["_row"], "bad_message", f"message {record['_row']}: "
                        f"{record['problem']}", json.dumps(
                            {k: record[k] for k in RAW_COLUMNS}, ensure_ascii=False,
                            default=str)))
        else:
            kept.append(record)
        if len(kept) + len(bad) >= batch_size:
            yield _raw_frame(kept), raw_quarantine(bad)
            kept, bad = [], []
    yield _raw_frame(kept), raw_quarantine(bad)


def _raw_frame(records: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(records, columns=[*RAW_COLUMNS, "_row"])
    for column in RAW_COLUMNS:
        frame[column] = frame[column].map(lambda v: None if v is None else str(v)).astype(
            object)
    frame["_row"] = frame["_row"].astype("int64")
    return frame


def is_export(path: str | Path, peek: int = 65536) -> bool:
    """Whether a .json file looks like a Telegram export (its opening keys), read cheaply."""
    with open(path, "rb") as handle:
        head = handle.read(peek).decode("utf-8", errors="replace")
    return ('"messages"' in head and '"date_unixtime"' in head) or (
        '"chats"' in head and '"list"' in head)
