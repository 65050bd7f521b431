"""A corpus scan's output, file by file: each input file's tagged rows (one Parquet part),
its quarantined rows and its counts, added to the corpus's totals only when the file is done,
so a file that fails half-way (with ``--keep-going``) leaves no trace but its name."""

from __future__ import annotations

import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from negtrend.corpus import scan
from negtrend.corpus.inputs import InputFile
from negtrend.corpus.scan import ScanSettings
from negtrend.data import loading, sample


@dataclass
class Totals:
    """What a scan has counted so far; a file's share is added only when the file is done."""

    n_read: int = 0
    n_quarantined: int = 0
    reasons: Counter = field(default_factory=Counter)
    reservoirs: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    failed: list = field(default_factory=list)
    encodings: set = field(default_factory=set)

    def add(self, other: Totals, examples: int) -> None:
        self.n_read += other.n_read
        self.n_quarantined += other.n_quarantined
        self.reasons.update(other.reasons)
        self.reservoirs = [sample.merge(self.reservoirs + other.reservoirs, examples)]
        self.notes += other.notes
        self.encodings |= other.encodings


@dataclass
class FileScan:
    """One file being scanned: its counts, its part file and quarantine, written aside."""

    item: InputFile
    work: Path
    settings: ScanSettings
    totals: Totals = field(default_factory=Totals)
    writer: pq.ParquetWriter | None = None
    n_offset: int = 0
    n_local: int = 0
    quarantine_parts: int = 0

    @property
    def part(self) -> Path:
        return self.work / f"tagged-{self.item.number:06d}.parquet"

    @property
    def quarantine(self) -> Path:
        return quarantine_file(self.work, self.item.number)

    def add(self, out: scan.BatchOut) -> None:
        self.writer = self.writer or pq.ParquetWriter(self.part, out.tagged.schema,
                                                      compression="zstd")
        if out.tagged.num_rows:
            self.writer.write_table(out.tagged)
        self.totals.n_read += out.n_read
        self.totals.n_quarantined += len(out.quarantine)
        self.totals.reasons.update(out.quarantine["reason_code"].tolist())
        if len(out.quarantine):
            out.quarantine.to_csv(self.quarantine, mode="a", index=False,
                                  header=not self.quarantine_parts)
            self.quarantine_parts += 1
        self.totals.reservoirs = [sample.merge(self.totals.reservoirs + [out.reservoir],
                                               self.settings.examples)]
        self.n_offset += out.n_offset
        self.n_local += out.n_local

    def finish(self) -> Totals:
        if self.writer is None:
            pq.write_table(pa.Table.from_batches([], scan.tagged_schema(self.settings)),
                           self.part)
        else:
            self.writer.close()
        self.totals.notes += self.item.notes(loading.timestamp_rule(
            self.n_offset, self.n_local, self.settings.tz))
        return self.totals

    def abandon(self, error: Exception) -> None:
        if self.writer is not None:
            self.writer.close()
        self.part.unlink(missing_ok=True)
        self.quarantine.unlink(missing_ok=True)
        self.totals = Totals(failed=[f"{self.item.path}: {error}"])


def quarantine_file(work: Path, number: int) -> Path:
    """Where the quarantined rows of input file ``number`` wait to be joined."""
    return work / f"quarantine-{number:06d}.csv"


def join_quarantine(work: Path, files: list[InputFile]) -> None:
    """One quarantine file for the corpus, in file then record order."""
    target = work / "quarantine.csv"
    header_written = False
    with open(target, "w", encoding="utf-8", newline="") as out:
        for item in files:
            part = quarantine_file(work, item.number)
            if not part.exists():
                continue
            with open(part, encoding="utf-8", newline="") as handle:
                header = handle.readline()
                if not header_written:
                    out.write(header)
                    header_written = True
                shutil.copyfileobj(handle, out)
            part.unlink()
        if not header_written:
            out.write(",".join(scan.QUARANTINE_COLUMNS) + "\n")
