from .gap import Gap
from .matching import Flag, InputChange, LineOutcome, MatchChunk, MatchRun, MatchRunStatus, MatchTrigger, QuarterResults, Recommendation
from .rates import ExchangeRate
from .regions import Region
from .reports import GapReport, GapReportLine, ReportStatus
from .taxonomy import LabelSource, Occupation, OccupationLabel
from .warning import (
    EarlyWarning,
    EarlyWarningRecommendation,
    EarlyWarningRun,
    WarningNotice,
    WarningRating,
    WarningRunStatus,
    WarningSource,
    WarningStatus,
    WarningTrigger,
)

__all__ = [
    "EarlyWarning",
    "EarlyWarningRecommendation",
    "EarlyWarningRun",
    "WarningNotice",
    "WarningRating",
    "WarningRunStatus",
    "WarningSource",
    "WarningStatus",
    "WarningTrigger",
    "ExchangeRate",
    "Flag",
    "Gap",
    "InputChange",
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
