"""Date and number formats per language (settings.FORMAT_MODULE_PATH), read before Django's own.

One unambiguous date style per language, the same for DATE_FORMAT and SHORT_DATE_FORMAT, so that
`{{ d|date }}`, `{{ d|date:"SHORT_DATE_FORMAT" }}` and core.text.format_date print the same thing:
en "15 Aug 2026" (never the US month/day order), ru "15 августа 2026 г.", kk "15 там. 2026 ж.",
zh-hans "2026年8月15日". Datetimes add the 24-hour time and the time zone.
"""
