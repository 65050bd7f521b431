"""Telegram Desktop exports, streamed message by message (data.telegram)."""

from __future__ import annotations

import json
import tracemalloc

import pandas as pd
import pytest

from negtrend.data import telegram
from negtrend.data.paths import project_root

DATA = project_root() / "tests" / "data" / "telegram"
ONE_CHAT = project_root() / "tests" / "data" / "formats" / "telegram.json"


def test_one_chat_export_flattens_text_uses_unixtime_and_skips_service_messages():
    counts = telegram.Counts()
    rows = list(telegram.messages(ONE_CHAT, counts))
    assert counts.service == 1 and counts.messages == 4 == len(rows)
    assert counts.chats == ["Relawan Kawal Pemilu"]
    first, second, bad_date, bad_text = rows
    assert first["text"] == "Info TPS sudah keluar, cek di situs resmi ya"
    # date_unixtime, not the exporting machine's local "date"
    assert first["date_unixtime"] == "1704276312"
    [(frame, set_aside)] = telegram.raw_batches(ONE_CHAT)
    assert frame["date_unixtime"].tolist() == ["1704276312", "1704330000"]
    assert frame["_row"].tolist() == [1, 2] and set_aside["_row"].tolist() == [3, 4]
    assert set(set_aside["reason_code"]) == {"bad_message"}
    assert second["text"] == ("Awas HOAKS surat suara tercoblos, sudah dibantah "
                              "https://example.org/cek")
    assert (first["chat"], first["chat_type"]) == ("Relawan Kawal Pemilu", "public_supergroup")
    assert [r["_row"] for r in rows] == [1, 2, 3, 4] and first["problem"] is None
    assert bad_date["date_unixtime"] is None and "date_unixtime" in bad_date["problem"]
    assert bad_text["text"] is None and "text of type int" in bad_text["problem"]


def test_account_export_keeps_each_chat_name_with_its_messages():
    rows = list(telegram.messages(DATA / "account.json"))
    assert [(r["chat"], r["text"]) for r in rows] == [
        ("Grup Keluarga", "Jangan lupa nyoblos tanggal 14"),
        ("Kanal Berita", "Hitung cepat: partisipasi tinggi")]
    assert rows[1]["chat_type"] == "public_channel"
    frames = [frame for frame, _ in telegram.raw_batches(DATA / "account.json", batch_size=1)]
    assert [len(f) for f in frames] == [1, 1, 0] and list(frames[0].columns) == [
        *telegram.RAW_COLUMNS, "_row"]
    assert telegram.is_export(DATA / "account.json") and telegram.is_export(
        ONE_CHAT)


def test_flatten_text_refuses_what_telegram_never_writes():
    assert telegram.flatten_text(["a", {"type": "bold", "text": "b"}, "c"]) == "abc"
    with pytest.raises(ValueError, match="piece of type int"):
        telegram.flatten_text(["a", 3])
    with pytest.raises(ValueError, match="expected a string or a list"):
        telegram.flatten_text({"text": "x"})


def test_a_large_export_is_streamed_not_loaded(tmp_path):
    """20,000 messages of ~1 KB (about 20 MB): Python's peak allocation while reading stays
    a small fraction of the file (json.load would hold several times the file)."""
    path = tmp_path / "result.json"
    body = "kata " * 200
    with open(path, "w", encoding="utf-8") as out:
        out.write('{"name": "Besar", "type": "public_channel", "id": 1, "messages": [')
        for i in range(20_000):
            out.write(("," if i else "") + json.dumps({
                "id": i, "type": "message", "date": "2024-01-01T00:00:00",
                "date_unixtime": str(1704067200 + i), "from": "x", "text": body}))
        out.write("]}")
    size = path.stat().st_size
    tracemalloc.start()
    counted = sum(len(frame) for frame, _ in telegram.raw_batches(path, batch_size=1000))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert counted == 20_000
    assert peak < size / 4, (peak, size)


def test_an_export_is_detected_and_read_as_posts_with_bad_messages_quarantined():
    from negtrend.run import pipeline

    loaded = pipeline.prepare(str(ONE_CHAT)).loaded
    assert "read as the telegram format" in " ".join(loaded.read_notes)
    assert (loaded.n_read, loaded.n_kept, loaded.n_quarantined) == (4, 2, 2)
    assert loaded.data["platform"].tolist() == ["Relawan Kawal Pemilu"] * 2
    assert loaded.data["timestamp"].iloc[0] == pd.Timestamp("2024-01-03 17:05:12",
                                                            tz="Asia/Jakarta")
    reasons = loaded.quarantine.set_index("_row")["reason"].to_dict()
    assert "date_unixtime: 'kemarin'" in reasons[3] and "text of type int" in reasons[4]
    forced = pipeline.prepare(str(DATA / "account.json"), preset="telegram").loaded
    assert forced.data["platform"].tolist() == ["Grup Keluarga", "Kanal Berita"]


@pytest.mark.slow
def test_a_report_renders_from_a_telegram_export(tmp_path):
    """Three months of a channel around the pemilu2024 campaign, a report end to end."""
    import subprocess
    import sys

    start = int(pd.Timestamp("2023-10-01", tz="UTC").timestamp())
    messages = [{"id": i, "type": "message", "date": "2023-10-01T00:00:00",
                 "date_unixtime": str(start + i * 9000), "from": "Kanal",
                 "text": "awas hoaks surat suara" if i % 5 == 0 else ["info ",
                                                                      {"type": "bold",
                                                                       "text": "debat"}]}
                for i in range(1500)]
    path = tmp_path / "result.json"
    path.write_text(json.dumps({"name": "Kanal", "type": "public_channel", "id": 1,
                                "messages": messages}), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "negtrend.cli", "report", "--data", str(path),
                           "--election", "pemilu2024", "--freq", "W", "--classifier", "lexicon",
                           "--category", "hoaks", "--reports-dir", str(tmp_path / "reports"),
                           "-p", "examples_per_window=1"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    [metrics_path] = (tmp_path / "reports").glob("*/metrics.json")
    metrics = json.loads(metrics_path.read_text(encoding="utf-8"))
    assert metrics["data"]["n_kept"] == 1500
    assert "read as the telegram format" in " ".join(metrics["data"]["read_notes"])
