"""The stored copy of a reviewed ledger: its sections and summary as canonical JSON (what the
review keeps, and hashes), and read back."""

from __future__ import annotations

import json

from app.ledger.dto import Ledger, LedgerRow, LedgerSection


def canonical(sections: tuple[LedgerSection, ...], summary: tuple[tuple[str, str], ...]) -> str:
    return json.dumps(
        {
            "sections": [
                {
                    "key": s.key,
                    "title": s.title,
                    "columns": list(s.columns),
                    "widths": list(s.widths),
                    "rows": [
                        [list(r.cells), r.marked, list(r.officer_ids), r.visit_id] for r in s.rows
                    ],
                }
                for s in sections
            ],
            "summary": [list(p) for p in summary],
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )


def content_json(ledger: Ledger) -> str:
    return canonical(ledger.sections, ledger.summary)


def from_json(text: str) -> tuple[tuple[LedgerSection, ...], tuple[tuple[str, str], ...]]:
    data = json.loads(text)
    sections = tuple(
        LedgerSection(
            s["key"],
            s["title"],
            tuple(s["columns"]),
            tuple(
                LedgerRow(tuple(cells), bool(marked), tuple(ids), visit_id)
                for cells, marked, ids, visit_id in s["rows"]
            ),
            tuple(s["widths"]),
        )
        for s in data["sections"]
    )
    return sections, tuple((a, b) for a, b in data["summary"])
