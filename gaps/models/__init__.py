from .gap import Gap
from .rates import ExchangeRate
from .regions import Region
from .reports import GapReport, GapReportLine, ReportStatus
from .taxonomy import LabelSource, Occupation, OccupationLabel

__all__ = [
    "ExchangeRate",
    "Gap",
    "GapReport",
    "GapReportLine",
    "LabelSource",
    "Occupation",
    "OccupationLabel",
    "Region",
    "ReportStatus",
]
