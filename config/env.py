"""Environment parsing helpers.

Settings differ between environments only through environment variables. These helpers fail
loudly on a value they cannot parse instead of silently falling back to a default.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use one of 1/0, true/false, yes/no, on/off)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from exc


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_time_zone(name: str, default: str) -> str:
    """An IANA time zone name (e.g. Asia/Almaty), checked against the zone database."""
    import zoneinfo

    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        zoneinfo.ZoneInfo(raw.strip())
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a time zone name (e.g. Asia/Almaty, UTC)") from exc
    return raw.strip()


def parse_country_costs(name: str, raw: str) -> dict[str, int]:
    """`KZ=9000,CN=6000,default=8000` -> {"KZ": 9000, "CN": 6000, "default": 8000}: whole CNY, 0 or
    more, countries as ISO 3166-1 alpha-2; `default` (required) for the other countries."""
    out: dict[str, int] = {}
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        key, sep, value = item.partition("=")
        key = key.strip()
        key = "default" if key.lower() == "default" else key.upper()
        if not sep or not (key == "default" or (len(key) == 2 and key.isalpha())):
            raise ImproperlyConfigured(
                f"{name}={raw!r}: {item!r} is not COUNTRY=AMOUNT (e.g. KZ=9000,CN=6000,default=8000)"
            )
        try:
            amount = int(value.strip().replace("_", ""))
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name}={raw!r}: {value.strip()!r} for {key} is not a whole amount in CNY") from exc
        if amount < 0:
            raise ImproperlyConfigured(f"{name}={raw!r}: the amount for {key} is negative")
        out[key] = amount
    if "default" not in out:
        raise ImproperlyConfigured(f"{name}={raw!r} has no default=AMOUNT for the other countries")
    return out


def env_country_costs(name: str, default: str) -> dict[str, int]:
    raw = os.environ.get(name)
    return parse_country_costs(name, default if raw is None or not raw.strip() else raw)
