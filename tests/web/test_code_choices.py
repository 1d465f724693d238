"""Languages and certifications are ticked or chosen by name ("Kazakh (kk)"), not typed as codes
("ISO 639-1 codes separated by semicolons, e.g. kk;ru" asked a college's staff to know the codes).

What a record already holds stays listed and ticked (a language outside the list, a certification
of its own); a form posted by a script as "kk; ru" is still read; a malformed code is named.
"""

from __future__ import annotations

import re
from html import unescape

from django.urls import reverse

from accounts.models import Role
from gaps.models import GapReport, GapReportLine, ReportStatus
from training.models import College, Program


def _boxes(html: str, name: str) -> dict[str, tuple[str, bool]]:
    """value -> (label, checked) of a field's checkboxes."""
    found = {}
    for tag, ident in re.findall(r'(<input type="checkbox" name="%s" value="[^"]*"[^>]*id="([^"]+)"[^>]*>)' % name, html):
        value = re.search(r'value="([^"]*)"', tag).group(1)
        label = re.search(r'<label for="%s">([^<]*)</label>' % re.escape(ident), html).group(1)
        found[value] = (unescape(label), "checked" in tag)
    return found


def _program(occupations, *, languages, certifications):
    college = College.objects.create(code="C-TEST", name="Test college", country="KZ")
    program = Program.objects.create(college=college, code="P-1", title="Harvest", languages=languages,
                                     certifications=certifications)
    program.occupations.set([occupations["8341"]])
    return college, program


def test_a_programs_languages_and_certifications_are_ticked_by_name(client, make_user, occupations):
    college, program = _program(occupations, languages=["ru", "tk", "ab"], certifications=["KZ", "WELD-3"])
    user = make_user(Role.COLLEGE_STAFF)
    college.staff.add(user)
    client.force_login(user)
    url = reverse("web:program-edit", args=[program.pk])

    html = client.get(url, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    languages = _boxes(html, "languages")
    assert languages["ru"] == ("Русский (ru)", True)
    assert languages["kk"] == ("Казахский (kk)", False)
    assert languages["tk"] == ("Туркменский (tk)", True)  # listed in every language
    assert languages["ab"][1] is True  # a language outside the list, held by the record, stays ticked
    certifications = _boxes(html, "certifications")
    assert certifications["KZ"][1] is True and "Казахстан" in certifications["KZ"][0]
    assert certifications["CN-VSL"][1] is False
    assert certifications["WELD-3"] == ("WELD-3", True)
    assert "ISO 639-1" not in html.split('id="id_languages"', 1)[1].split("</fieldset>", 1)[0]

    data = {"code": "P-1", "title": "Harvest", "occupation_codes": "8341", "sector": "",
            "languages": ["kk", "zh"], "certifications": ["CN-VSL"], "serves_regions": []}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    program.refresh_from_db()
    assert program.languages == ["kk", "zh"] and program.certifications == ["CN-VSL"]

    # Nothing ticked, and a malformed code: both named, nothing saved.
    bad = client.post(url, data | {"languages": [], "certifications": ["KZ", "K/Z"]})
    assert bad.status_code == 422
    assert bad.context["form"].errors["languages"] == ["Tick at least one language of instruction."]
    assert bad.context["form"].errors["certifications"] == ["Not a certification code: K/Z."]
    program.refresh_from_db()
    assert program.languages == ["kk", "zh"]


def test_a_report_lines_certification_is_chosen_and_its_languages_ticked(client, make_user, regions, occupations):
    region = regions["east"]
    report = GapReport.objects.create(region=region, quarter="2027Q1", status=ReportStatus.DRAFT)
    line = GapReportLine.objects.create(report=report, line_no=1, occupation=occupations["8341"], headcount=5,
                                        salary_min=1, salary_max=2, currency="KZT", certification="KZ-WELD",
                                        languages=["kk"])
    client.force_login(make_user(Role.OFFICIAL, regions=[region]))
    html = client.get(reverse("web:report-line-edit", args=[region.code, "2027Q1", line.line_no])).content.decode()
    select = html.split('name="certification"', 1)[1].split("</select>", 1)[0]
    options = re.findall(r'<option value="([^"]*)"([^>]*)>([^<]*)</option>', select)
    assert [(value, unescape(text)) for value, _attrs, text in options] == [
        ("", "None required"), ("KZ", "Kazakhstan's national skill assessment (KZ)"),
        ("CN-VSL", "China's vocational skill level certificate (CN-VSL)"), ("KZ-WELD", "KZ-WELD")]
    assert "selected" in options[-1][1]
    assert _boxes(html, "languages")["kk"] == ("Kazakh (kk)", True)
