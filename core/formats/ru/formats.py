# Russian: Django's long style everywhere ("15 августа 2026 г."), so that a table's dates and a
# sentence's dates look alike; 24-hour times with the time zone. Numbers as Django's ru module.
DATE_FORMAT = "j E Y г."  # 15 августа 2026 г.
SHORT_DATE_FORMAT = "j E Y г."
DATETIME_FORMAT = "j E Y г., H:i T"
SHORT_DATETIME_FORMAT = "j E Y г., H:i T"
TIME_FORMAT = "H:i"
