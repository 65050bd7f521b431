"""Plain-text tables for the terminal, without pandas (the command line starts fast)."""

from __future__ import annotations


def text_table(rows: list[dict], headers: list[str]) -> str:
    """Left-aligned columns two spaces apart, a rule under the header; values as text."""
    cells = [[str(row.get(h, "")) for h in headers] for row in rows]
    widths = [max([len(h)] + [len(line[i]) for line in cells]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
              for line in cells]
    return "\n".join(lines)
