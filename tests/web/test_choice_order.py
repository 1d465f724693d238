"""Dropdowns of colleges, regions and programs list them by the name the reader sees, in the reader's
alphabet and regardless of case (not by the English name, nor by code)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import Role
from core import text
from tests.api import factories as f
from training.models import College

RU = {  # English name as stored → the Russian translation
    "KZ-A": ("Abai Vocational College", "Профессиональный колледж Абая"),
    "KZ-B": ("bolashak college", "ёлочный техникум"),
    "KZ-C": ("Caspian Technical College", "Жезказганский колледж"),
    "KZ-D": ("Dostyk Polytechnic", "Ерейментауский колледж"),
}


@pytest.fixture
def colleges(db):
    return {code: f.college(code, name=en, name_translations={"ru": ru, "_as_written": en})
            for code, (en, ru) in RU.items()}


def labels(field) -> list[str]:
    return [str(label) for value, label in field.choices if value != ""]


def test_names_are_sorted_by_the_readers_collation(db):
    chinese = ["乌斯季卡缅诺戈尔斯克", "伊犁", "新疆", "甘肃", "阿拉木图"]
    assert text.sorted_by_name(chinese, str, language="zh-hans") == ["阿拉木图", "甘肃", "乌斯季卡缅诺戈尔斯克", "新疆", "伊犁"]
    russian = ["Жезказган", "ёлка", "Ерейментау", "ель", "Абай", "абай"]
    assert text.sorted_by_name(russian, str, language="ru") == [
        "абай", "Абай", "ёлка", "ель", "Ерейментау", "Жезказган"]


def test_sort_key_reads_the_readers_alphabet_whatever_the_case():
    names = ["Жезказган", "ёлка", "Ерейментау", "ель", "Абай"]
    assert sorted(names, key=lambda n: text.sort_key(n, language="ru")) == [
        "Абай", "ёлка", "ель", "Ерейментау", "Жезказган"]  # ё sorted as е, as dictionaries do
    kazakh = ["Лепсі", "Қарағанды", "Күршім", "Ұлытау", "Уалиханов", "Үржар", "Ақсу", "Әйтеке би", "Бадам"]
    assert sorted(kazakh, key=lambda n: text.sort_key(n, language="kk")) == [
        "Ақсу", "Әйтеке би", "Бадам", "Күршім", "Қарағанды", "Лепсі", "Уалиханов", "Ұлытау", "Үржар"]
    assert sorted(["beta", "Alpha", "alpine"], key=lambda n: text.sort_key(n, language="en")) == [
        "Alpha", "alpine", "beta"]


@pytest.mark.parametrize(("language", "expected"), [
    ("ru", ["ёлочный техникум (KZ-B)", "Ерейментауский колледж (KZ-D)", "Жезказганский колледж (KZ-C)",
            "Профессиональный колледж Абая (KZ-A)"]),
    ("en", ["Abai Vocational College (KZ-A)", "bolashak college (KZ-B)", "Caspian Technical College (KZ-C)",
            "Dostyk Polytechnic (KZ-D)"]),
])
def test_the_programs_page_lists_colleges_by_the_name_the_reader_sees(client, make_user, colleges, language,
                                                                      expected):
    client.force_login(make_user(Role.REVIEWER))
    response = client.get(reverse("web:programs"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    field = response.context["filter"].form.fields["college"]
    assert labels(field) == expected
    assert [str(label) for _, label in field.choices][0] == str(field.empty_label)  # "All colleges" stays first
    html = response.content.decode()
    assert [html.index(f"{name.split(' (')[0]} (") for name in expected] == sorted(
        html.index(f"{name.split(' (')[0]} (") for name in expected)


def test_the_plan_forms_colleges_programs_and_regions_are_in_name_order(colleges, regions):
    from web.forms import ProgramForm, ProjectPlanForm

    f.program(colleges["KZ-A"], "P-Z", title="Welding", title_translations={"ru": "Сварка", "_as_written": "Welding"})
    f.program(colleges["KZ-B"], "P-A", title="Agronomy", title_translations={"ru": "Ягоды", "_as_written": "Agronomy"})
    with translation.override("ru"):
        plan = ProjectPlanForm()
        assert labels(plan.fields["lead_college"])[:2] == ["ёлочный техникум (KZ-B)", "Ерейментауский колледж (KZ-D)"]
        assert [label.split(" — ")[0] for label in labels(plan.fields["programs"])] == ["Сварка", "Ягоды"]
        program_form = ProgramForm(colleges=College.objects.all())
        # By name (Восточно-… before Хоргос), not by code (CN-HORGOS before KZ-VOS).
        assert labels(program_form.fields["serves_regions"]) == [
            "Восточно-Казахстанская область (KZ-VOS)", "Хоргос (CN-HORGOS)"]
        assert labels(program_form.fields["college"])[0] == "ёлочный техникум (KZ-B)"
    assert plan.fields["lead_college"].clean(str(colleges["KZ-C"].pk)) == colleges["KZ-C"]  # still validates


# Occupations by their title in the reader's language (ICU: pinyin order in Chinese), not by code
# (7411, 7543, 8341); English: Building..., Mobile..., Product....
OCCUPATION_ORDER = {
    "ru": ["8341", "7543", "7411"],  # Операторы, Сортировщики, Электрики
    "zh-hans": ["7543", "7411", "8341"],  # 产品 (chǎn), 建筑 (jiàn), 农业 (nóng)
    "en": ["7411", "8341", "7543"],
}


def _codes(field) -> list[str]:
    return [label.rsplit("(", 1)[1].rstrip(")") for label in labels(field)]


@pytest.mark.parametrize("language", list(OCCUPATION_ORDER))
def test_the_gap_list_lists_occupations_by_the_name_the_reader_sees(client, make_user, regions, occupations,
                                                                    language):
    from gaps.models import Gap

    for n, code in enumerate(("7411", "7543", "8341")):
        Gap.objects.create(region=regions["east"], quarter="2026Q3", occupation=occupations[code], headcount=n + 1,
                           shortfall=n + 1)
    client.force_login(make_user(Role.REVIEWER))
    response = client.get(reverse("web:gaps"), {"quarter": "2026Q3"}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    field = response.context["filter"].form.fields["occupation"]
    assert _codes(field) == OCCUPATION_ORDER[language]
    assert [str(label) for _, label in field.choices][0] == str(field.empty_label)  # "All occupations" stays first
    html = response.content.decode()
    with translation.override(language):
        titles = [occupations[c].title for c in OCCUPATION_ORDER[language]]
    select = html.split('name="occupation"', 1)[1].split("</select>", 1)[0]
    assert [select.index(t) for t in titles] == sorted(select.index(t) for t in titles)


@pytest.mark.parametrize("language", list(OCCUPATION_ORDER))
def test_the_programs_and_projects_filters_list_occupations_by_name(colleges, occupations, language):
    from gaps.models import Gap, Region
    from projects.models import CooperationProject
    from web.filters import ProgramFilter, project_filter
    from training.models import Program

    f.program(colleges["KZ-A"], "P1", trains=("7411", "7543", "8341"))
    east = Region.objects.create(code="KZ-VOS", country="KZ", name_en="East Kazakhstan Region", kind="oblast")
    project = CooperationProject.objects.create(title="Orchard crews", lead_college=colleges["KZ-A"])
    for code in ("7411", "7543", "8341"):
        project.gaps.add(Gap.objects.create(region=east, quarter="2026Q3", occupation=occupations[code], headcount=1,
                                            shortfall=1))
    with translation.override(language):
        programs = ProgramFilter({}, queryset=Program.objects.all())
        assert _codes(programs.form.fields["occupation"]) == OCCUPATION_ORDER[language]
        form = project_filter({}, CooperationProject.objects.all()).form
        assert [value for value, _ in form.fields["occupation"].choices if value] == OCCUPATION_ORDER[language]
