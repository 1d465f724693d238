# Kazakh date and number formats. Django ships Kazakh translations but no kk/formats.py, so
# without this module Kazakh pages would show English-style "Nov. 22, 2026" and "250,000.50".
# Dates as "15 там. 2026 ж." (the month abbreviated, never a bare 15.08.2026 next to a long date
# elsewhere); thousands grouped with a space and a decimal comma.
DATE_FORMAT = "j b. Y ж."
SHORT_DATE_FORMAT = "j b. Y ж."
DATETIME_FORMAT = "j b. Y ж., H:i T"
SHORT_DATETIME_FORMAT = "j b. Y ж., H:i T"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "b. Y ж."
MONTH_DAY_FORMAT = "j b."
FIRST_DAY_OF_WEEK = 1  # Monday
DATE_INPUT_FORMATS = ["%d.%m.%Y", "%d.%m.%y"]
DATETIME_INPUT_FORMATS = ["%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y"]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"  # non-breaking space
NUMBER_GROUPING = 3
