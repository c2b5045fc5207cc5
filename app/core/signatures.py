"""A signature stored on exactly one document: one way to hash and keep it, for every kind.

A signature's ``image_sha256`` covers its strokes and image together (neither can be swapped
alone); its ``content_sha256`` is the hash of what was signed, recomputed by
``stationdesk check`` from the document as it stands (``app/integrity/record_check.py``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence

from sqlalchemy.orm import Session

from db.models import Signature


def image_digest(strokes_json: str, png: bytes) -> str:
    """SHA-256 over the signature's strokes and image."""
    return hashlib.sha256(strokes_json.encode("utf-8") + b"|" + png).hexdigest()


def content_digest(parts: Sequence[object]) -> str:
    """SHA-256 of what a citizen signs when the document has no hash of its own (a rating,
    a home-service record): its fields as one JSON list."""
    return hashlib.sha256(json.dumps(list(parts), ensure_ascii=False).encode("utf-8")).hexdigest()


def store_signature(
    session: Session,
    *,
    document_type: str,
    document_id: int,
    signer_name: str,
    signed_at: dt.datetime,
    content_sha256: str,
    strokes: Sequence[Sequence[tuple[float, float, float]]],
    png: bytes,
) -> str:
    """Keep a signature on a document; returns its image hash (for the audit event)."""
    strokes_json = json.dumps(strokes)
    image_sha256 = image_digest(strokes_json, png)
    session.add(
        Signature(
            document_type=document_type,
            document_id=document_id,
            signer_name=signer_name,
            signed_at=signed_at,
            content_sha256=content_sha256,
            strokes_json=strokes_json,
            png=png,
            image_sha256=image_sha256,
        )
    )
    return image_sha256
