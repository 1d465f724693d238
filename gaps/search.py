"""Multilingual occupation title search.

Interface used by imports and the API (implementation: see the taxonomy work in issue 2):

    search_occupations(query, *, language=None, limit=10) -> list[OccupationMatch]
    code_title(title) -> tuple[str | None, float]   # (unit group code or None, confidence 0..1)
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OccupationMatch:
    code: str
    title_en: str
    score: float  # 0..1, comparable across queries
    matched_label: str
    language: str


def search_occupations(query: str, *, language: str | None = None, limit: int = 10) -> list[OccupationMatch]:
    raise NotImplementedError


def code_title(title: str) -> tuple[str | None, float]:
    raise NotImplementedError
