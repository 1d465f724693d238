"""TRAINEE_COST_CNY and its parser (config.env.parse_country_costs): a bad value names the setting."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_country_costs, parse_country_costs
from projects.plan.fetch import trainee_cost


def test_the_default_and_spaces_and_case():
    assert parse_country_costs("TRAINEE_COST_CNY", "KZ=9000,CN=6000,default=8000") == {
        "KZ": 9000, "CN": 6000, "default": 8000}
    assert parse_country_costs("X", " kz = 9_000 , Default=7000 ") == {"KZ": 9000, "default": 7000}


@pytest.mark.parametrize("raw, words", [
    ("KZ=9000,CN=6000", "no default"),
    ("KZ=lots,default=1", "'lots' for KZ"),
    ("KZ9000,default=1", "COUNTRY=AMOUNT"),
    ("KAZ=1,default=1", "COUNTRY=AMOUNT"),
    ("KZ=-5,default=1", "negative"),
])
def test_a_bad_value_names_the_setting_and_the_part(raw, words):
    with pytest.raises(ImproperlyConfigured) as info:
        parse_country_costs("TRAINEE_COST_CNY", raw)
    assert str(info.value).startswith("TRAINEE_COST_CNY=") and words in str(info.value)


def test_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("TRAINEE_COST_CNY", "CN=5000,default=7000")
    assert env_country_costs("TRAINEE_COST_CNY", "default=1") == {"CN": 5000, "default": 7000}
    monkeypatch.setenv("TRAINEE_COST_CNY", "CN=")
    with pytest.raises(ImproperlyConfigured, match="TRAINEE_COST_CNY"):
        env_country_costs("TRAINEE_COST_CNY", "default=1")


def test_the_cost_of_a_country_falls_back_to_the_default(settings):
    settings.TRAINEE_COST_CNY = {"KZ": 9000, "CN": 6000, "default": 8000}
    assert (trainee_cost("KZ"), trainee_cost("cn"), trainee_cost("UZ")) == (9000, 6000, 8000)
