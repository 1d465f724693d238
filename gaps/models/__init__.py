from .gap import Gap
from .matching import Flag, LineOutcome, MatchChunk, MatchRun, MatchRunStatus, MatchTrigger, QuarterResults, Recommendation
from .rates import ExchangeRate
from .regions import Region
from .reports import GapReport, GapReportLine, ReportStatus
from .taxonomy import LabelSource, Occupation, OccupationLabel

__all__ = [
    "ExchangeRate",
    "Flag",
    "Gap",
    "LineOutcome",
    "MatchChunk",
    "MatchRun",
    "MatchRunStatus",
    "MatchTrigger",
    "QuarterResults",
    "Recommendation",
    "GapReport",
    "GapReportLine",
    "LabelSource",
    "Occupation",
    "OccupationLabel",
    "Region",
    "ReportStatus",
]
