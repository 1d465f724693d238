# English as the people who use talentgap read it: day month year, never the US month/day order
# (08/15/2026 reads as 8 March in half of the world), 24-hour times with the time zone.
DATE_FORMAT = "j M Y"  # 15 Aug 2026
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i T"  # 15 Aug 2026, 09:30 UTC
SHORT_DATETIME_FORMAT = "j M Y, H:i T"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "M Y"
MONTH_DAY_FORMAT = "j M"
FIRST_DAY_OF_WEEK = 1  # Monday
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
