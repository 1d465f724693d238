"""import_gaps: grouping into reports, validation of every column, all-or-nothing, submit, coding."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from core.imports.errors import ImportRejected
from gaps import services
from gaps.importers import GapReportImporter
from gaps.models import GapReport, GapReportLine, OccupationLabel, ReportStatus

from .conftest import GAP_HEADER, csv_bytes, gap_row, make_file, run, xlsx_bytes

pytestmark = pytest.mark.django_db


def rejected(data, filename="gaps.csv", **kwargs):
    with pytest.raises(ImportRejected) as info:
        run(GapReportImporter(**kwargs), data, filename)
    return [(p.row, p.column, p.message) for p in info.value.problems]


def lines_snapshot():
    return list(
        GapReportLine.objects.order_by("report__region__code", "report__quarter", "line_no").values_list(
            "report__region__code", "report__quarter", "report__status", "line_no", "occupation_id",
            "occupation_title", "coding_confidence", "sector", "headcount", "salary_min", "salary_max", "currency",
            "season_start", "season_end", "certification", "languages", "note",
        )
    )


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_rows_are_grouped_into_one_draft_per_region_and_quarter(kind, isco, regions):
    rows = [
        GAP_HEADER,
        gap_row(),
        gap_row(occupation_code="7411", occupation_title="", headcount="12", languages="ru; KK ;", season_start="", season_end=""),
        gap_row(region_code="KZ-ALM", occupation_code="8344", headcount="3"),
        gap_row(quarter="2026Q4", salary_min="1000.5", salary_max="1000.5", currency="usd"),
    ]
    data, name = make_file(kind, rows)
    result = run(GapReportImporter(), data, name)
    assert result["created"] == {"reports": 3, "lines": 4}
    assert [(r["region"], r["quarter"], r["lines"], r["status"], r["first_row"]) for r in result["reports"]] == [
        ("KZ-VOS", "2026Q3", 2, "draft", 2),
        ("KZ-ALM", "2026Q3", 1, "draft", 4),
        ("KZ-VOS", "2026Q4", 1, "draft", 5),
    ]
    report = GapReport.objects.get(region__code="KZ-VOS", quarter="2026Q3")
    first, second = report.lines.order_by("line_no")
    assert (first.occupation_id, first.occupation_title, first.headcount, first.salary_min) == ("8341", "Комбайнёр", 40, Decimal("250000"))
    assert (first.currency, first.certification, first.languages, first.sector) == ("KZT", "KZ", ["kk", "ru"], "A")
    assert str(first.season_start) == "2026-07-01" and str(first.season_end) == "2026-09-30"
    assert first.coding_confidence is None  # coded by the official, not by the search
    assert (second.occupation_id, second.languages, second.season_start) == ("7411", ["ru", "kk"], None)
    q4 = GapReport.objects.get(quarter="2026Q4").lines.get()
    assert (q4.salary_min, q4.currency) == (Decimal("1000.50"), "USD")


def test_csv_and_xlsx_with_the_same_content_import_the_same(isco, regions):
    rows = [GAP_HEADER, gap_row(), gap_row(occupation_code="", occupation_title="electrician", note="=1+1"),
            gap_row(region_code="KZ-ALM", salary_min="100.25", salary_max="200")]
    run(GapReportImporter(), csv_bytes(rows), "gaps.csv")
    from_csv = lines_snapshot()
    GapReport.objects.all().delete()
    run(GapReportImporter(), xlsx_bytes(rows), "gaps.xlsx")
    assert lines_snapshot() == from_csv
    titled = [line for line in from_csv if line[5] == "electrician"]
    assert len(titled) == 1 and titled[0][16] == "=1+1"  # a formula-like note is kept as text


def test_xlsx_native_numbers_and_dates_are_accepted(isco, regions):
    import datetime as dt

    rows = [GAP_HEADER, gap_row(occupation_code=8341, headcount=40, salary_min=250000, salary_max=400000.5,
                                 season_start=dt.datetime(2026, 7, 1), season_end=dt.date(2026, 9, 30))]
    run(GapReportImporter(), xlsx_bytes(rows), "gaps.xlsx")
    line = GapReportLine.objects.get()
    assert (line.occupation_id, line.headcount, line.salary_max, str(line.season_start)) == ("8341", 40, Decimal("400000.50"), "2026-07-01")


def test_every_problem_of_the_file_is_reported_in_one_pass_and_nothing_is_written(isco, regions):
    rows = [
        GAP_HEADER + ["colour"],
        gap_row() + [""],                                                        # 2 fine
        gap_row(region_code="XX-NOPE") + [""],                                   # 3 unknown region
        gap_row(quarter="2026Q5") + [""],                                        # 4 bad quarter
        gap_row(occupation_code="9999") + [""],                                  # 5 unknown occupation
        gap_row(occupation_code="834") + [""],                                   # 6 not 4 digits
        gap_row(occupation_code="", occupation_title="") + [""],                 # 7 neither code nor title
        gap_row(headcount="0") + [""],                                           # 8 headcount too small
        gap_row(headcount="100001") + [""],                                      # 9 headcount too large
        gap_row(headcount="ten") + [""],                                         # 10 not a number
        gap_row(salary_min="500", salary_max="400") + [""],                      # 11 min > max
        gap_row(salary_min="-1") + [""],                                         # 12 negative
        gap_row(salary_max="1,500.00") + [""],                                   # 13 comma
        gap_row(currency="TENGE") + [""],                                        # 14 currency
        gap_row(season_start="2026-10-01", season_end="2026-09-30") + [""],      # 15 start > end
        gap_row(season_start="01.07.2026") + [""],                               # 16 not ISO
        gap_row(languages="kk;russian") + [""],                                  # 17 language
        gap_row(sector="Z") + [""],                                              # 18 sector
        gap_row(certification="K" * 65) + [""],                                  # 19 too long
        gap_row(headcount="") + [""],                                            # 20 required blank
        gap_row(headcount="=1+1") + [""],                                        # 21 formula
    ]
    problems = rejected(csv_bytes(rows))
    where = {(row, column) for row, column, _message in problems}
    assert where == {
        (1, "colour"),
        (3, "region_code"), (4, "quarter"), (5, "occupation_code"), (6, "occupation_code"), (7, "occupation_code"),
        (8, "headcount"), (9, "headcount"), (10, "headcount"), (11, "salary_min"), (12, "salary_min"),
        (13, "salary_max"), (14, "currency"), (15, "season_start"), (16, "season_start"), (17, "languages"),
        (18, "sector"), (19, "certification"), (20, "headcount"), (21, "headcount"),
    }
    messages = {(row, column): message for row, column, message in problems}
    assert "XX-NOPE" in messages[(3, "region_code")]
    assert "9999" in messages[(5, "occupation_code")]
    assert "'russian'" in messages[(17, "languages")]
    assert "Formulas are not evaluated" in messages[(21, "headcount")]
    assert [p[0] for p in problems] == sorted(p[0] for p in problems)  # in row order
    assert GapReport.objects.count() == 0 and GapReportLine.objects.count() == 0


def test_a_missing_required_column_is_reported_with_the_row_errors(isco, regions):
    header = [c for c in GAP_HEADER if c != "currency"]
    rows = [header, [v for c, v in zip(GAP_HEADER, gap_row(headcount="0")) if c != "currency"]]
    problems = rejected(csv_bytes(rows))
    assert [(p[0], p[1]) for p in problems] == [(1, "currency"), (2, "headcount")]


def test_a_header_without_any_occupation_column_is_refused(isco, regions):
    header = [c for c in GAP_HEADER if c not in ("occupation_code", "occupation_title")]
    rows = [header, [v for c, v in zip(GAP_HEADER, gap_row()) if c in header]]
    problems = rejected(csv_bytes(rows))
    assert problems[0][:2] == (1, "occupation_code")


def test_a_group_level_occupation_code_is_refused(isco, regions):
    problems = rejected(csv_bytes([GAP_HEADER, gap_row(occupation_code="0834")]))
    assert problems[0][:2] == (2, "occupation_code")


def test_a_rejected_file_leaves_an_existing_draft_untouched(isco, regions):
    run(GapReportImporter(), csv_bytes([GAP_HEADER, gap_row(), gap_row(occupation_code="7411")]))
    before = lines_snapshot()
    reports_before = list(GapReport.objects.values_list("pk", "status", "updated_at"))
    rejected(csv_bytes([GAP_HEADER, gap_row(headcount="5"), gap_row(headcount="-5")]))
    assert lines_snapshot() == before
    assert list(GapReport.objects.values_list("pk", "status", "updated_at")) == reports_before


def test_reimporting_the_same_file_replaces_the_draft_lines_and_changes_nothing(isco, regions):
    data = csv_bytes([GAP_HEADER, gap_row(), gap_row(region_code="KZ-ALM")])
    first = run(GapReportImporter(), data)
    snapshot = lines_snapshot()
    second = run(GapReportImporter(), data)
    assert first["created"]["reports"] == 2 and second["created"]["reports"] == 0 and second["updated"]["reports"] == 2
    assert [r["id"] for r in first["reports"]] == [r["id"] for r in second["reports"]]
    assert lines_snapshot() == snapshot
    assert GapReport.objects.count() == 2


def test_a_new_import_replaces_the_lines_of_the_open_draft(isco, regions):
    run(GapReportImporter(), csv_bytes([GAP_HEADER, gap_row(), gap_row(occupation_code="7411")]))
    run(GapReportImporter(), csv_bytes([GAP_HEADER, gap_row(occupation_code="8344", headcount="7")]))
    report = GapReport.objects.get()
    assert list(report.lines.values_list("line_no", "occupation_id", "headcount")) == [(1, "8344", 7)]


def test_submit_supersedes_the_previous_submitted_report(isco, regions):
    first = run(GapReportImporter(submit=True), csv_bytes([GAP_HEADER, gap_row()]))
    old = GapReport.objects.get(pk=first["reports"][0]["id"])
    assert old.status == ReportStatus.SUBMITTED and first["reports"][0]["superseded"] is None
    second = run(GapReportImporter(submit=True), csv_bytes([GAP_HEADER, gap_row(headcount="55")]))
    new = GapReport.objects.get(pk=second["reports"][0]["id"])
    old.refresh_from_db()
    assert new.pk != old.pk and new.status == ReportStatus.SUBMITTED
    assert old.status == ReportStatus.SUPERSEDED and old.superseded_by_id == new.pk
    assert second["reports"][0]["superseded"] == old.pk
    assert list(old.lines.values_list("headcount", flat=True)) == [40]  # the superseded report keeps its lines
    assert list(new.lines.values_list("headcount", flat=True)) == [55]


def test_withdrawn_and_submitted_reports_are_never_modified(isco, regions):
    region = regions["KZ-VOS"]
    submitted = services.report_create(region=region, quarter="2026Q3")
    services.report_replace_lines(report=submitted, lines=[dict(occupation_id="8341", headcount=1, salary_min=1, salary_max=2, currency="KZT")])
    services.report_submit(report=submitted)
    services.report_withdraw(report=submitted)
    result = run(GapReportImporter(), csv_bytes([GAP_HEADER, gap_row()]))
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.WITHDRAWN
    assert list(submitted.lines.values_list("headcount", flat=True)) == [1]
    assert result["reports"][0]["id"] != submitted.pk and result["created"]["reports"] == 1


def test_a_rejected_submit_import_leaves_the_submitted_report_in_force(isco, regions):
    run(GapReportImporter(submit=True), csv_bytes([GAP_HEADER, gap_row()]))
    rejected(csv_bytes([GAP_HEADER, gap_row(), gap_row(region_code="XX")]), submit=True)
    assert list(GapReport.objects.values_list("status", flat=True)) == [ReportStatus.SUBMITTED]


def test_titles_resolve_through_the_search_or_stay_uncoded(isco, regions, settings):
    settings.OCCUPATION_CODING_THRESHOLD = 0.55
    rows = [
        GAP_HEADER,
        gap_row(occupation_code="", occupation_title="оператор зерноуборочного комбайна"),
        gap_row(occupation_code="", occupation_title="联合收割机驾驶员"),
        gap_row(occupation_code="", occupation_title="qwxz plombir vvv"),
        gap_row(occupation_code="7411", occupation_title="оператор зерноуборочного комбайна"),  # the code wins
    ]
    result = run(GapReportImporter(), csv_bytes(rows))
    lines = list(GapReport.objects.get().lines.order_by("line_no"))
    assert [line.occupation_id for line in lines] == ["8341", "8341", None, "7411"]
    assert lines[0].coding_confidence >= 0.55 and lines[1].coding_confidence >= 0.55
    assert lines[2].occupation_title == "qwxz plombir vvv" and lines[2].coding_confidence is not None
    assert lines[2].coding_confidence < 0.55
    assert result["reports"][0]["uncoded"] == 1


def test_below_the_threshold_a_resolved_title_is_stored_uncoded_with_its_confidence(isco, regions, settings):
    settings.OCCUPATION_CODING_THRESHOLD = 1.01  # nothing is confident enough
    run(GapReportImporter(), csv_bytes([GAP_HEADER, gap_row(occupation_code="", occupation_title="electrician")]))
    line = GapReportLine.objects.get()
    assert line.occupation_id is None and line.occupation_title == "electrician" and line.coding_confidence > 0


# --- the command ------------------------------------------------------------------------------


def test_the_command_prints_a_summary(isco, regions, tmp_path):
    path = tmp_path / "gaps.xlsx"
    path.write_bytes(xlsx_bytes([GAP_HEADER, gap_row(), gap_row(region_code="KZ-ALM")]))
    out, err = io.StringIO(), io.StringIO()
    call_command("import_gaps", str(path), "--submit", stdout=out, stderr=err)
    assert out.getvalue().strip().startswith("gaps.xlsx: 2 lines in 2 reports")
    assert "2 submitted" in out.getvalue()
    assert GapReport.objects.filter(status=ReportStatus.SUBMITTED).count() == 2


def test_the_command_lists_every_problem_one_per_line_and_fails(isco, regions, tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_bytes(csv_bytes([GAP_HEADER, gap_row(headcount="0"), gap_row(currency="XXXX", region_code="NOPE")]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="3 problem"):
        call_command("import_gaps", str(path), stdout=io.StringIO(), stderr=err)
    lines = err.getvalue().strip().splitlines()
    assert len(lines) == 3
    assert lines[0] == "row 2, column headcount: Must be between 1 and 100000."
    assert sorted(lines[1:]) == [
        "row 3, column currency: 'XXXX' is not an ISO 4217 currency code such as KZT, CNY or USD.",
        "row 3, column region_code: Unknown region NOPE.",
    ]
    assert GapReport.objects.count() == 0


def test_the_command_shows_progress_on_large_files(isco, regions, tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_bytes(csv_bytes([GAP_HEADER] + [gap_row(headcount=str(i % 900 + 1)) for i in range(2500)]))
    err = io.StringIO()
    call_command("import_gaps", str(path), stdout=io.StringIO(), stderr=err)
    assert "1000 rows read" in err.getvalue() and "2000 rows read" in err.getvalue()
    assert GapReportLine.objects.count() == 2500


def test_the_command_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_gaps", str(tmp_path / "nope.csv"))


def test_replacing_a_drafts_lines_keeps_the_old_lines_in_the_audit_history(isco, regions, make_user):
    official = make_user("official", regions=[regions["KZ-VOS"]])
    run(GapReportImporter(user=official), csv_bytes([GAP_HEADER, gap_row(), gap_row(occupation_code="7411")]))
    old_ids = set(GapReportLine.objects.values_list("pk", flat=True))
    run(GapReportImporter(user=official), csv_bytes([GAP_HEADER, gap_row(headcount="9")]))
    deleted = GapReportLine.history.filter(history_type="-")
    assert set(deleted.values_list("id", flat=True)) == old_ids
    assert sorted(deleted.values_list("occupation_id", flat=True)) == ["7411", "8341"]
    assert set(deleted.values_list("history_user", flat=True)) == {official.pk}
    assert not GapReportLine.objects.filter(pk__in=old_ids).exists()


def test_a_title_of_generic_words_is_stored_uncoded_whatever_the_threshold(isco, regions, settings):
    from gaps import search

    OccupationLabel.objects.create(occupation_id="7515", language="en", label="helper", normalized="helper", source="ESCO")
    search.invalidate_index()
    settings.OCCUPATION_CODING_THRESHOLD = 0.0
    rows = [GAP_HEADER, gap_row(occupation_code="", occupation_title="<b>helper</b>"), gap_row(occupation_code="", occupation_title="рабочий")]

    result = run(GapReportImporter(), csv_bytes(rows))

    assert list(GapReport.objects.get().lines.values_list("occupation_id", flat=True)) == [None, None]
    assert result["reports"][0]["uncoded"] == 2
