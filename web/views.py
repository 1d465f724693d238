"""Pages of the web application. Thin: read through web.selectors, write through the services."""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Role
from core import text
from core.imports.api import RETRY_AFTER_SECONDS
from core.permissions import can_edit_region_reports, can_review, sees_everything
from core.quarters import Quarter
from gaps import selectors as gap_selectors
from gaps import services as report_services
from gaps.models import ReportStatus

from . import lists, selectors
from . import xlsx
from .forms import (
    CohortForm,
    GapDecisionForm,
    ProgramForm,
    ProgramUploadForm,
    OutcomeForm,
    ProjectPlanForm,
    ReportLineForm,
    ReportUploadForm,
)



class LogoutPage(auth_views.LogoutView):
    """Logging out is a POST (the button in every page's header). A GET, e.g. a typed or bookmarked
    /logout/, shows a page with that button instead of Django's blank 405."""

    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(settings.LOGIN_URL)
        return render(request, "web/logout.html")


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """What needs the user's attention, one section per role they hold."""
    user = request.user
    roles = selectors.roles_of(user)
    context = {"roles": roles, "Role": Role, "quarters": selectors.home_quarters()}
    if Role.OFFICIAL in roles:
        context["region_rows"] = selectors.official_overview(user)
        context["region_quarters"] = selectors.region_quarters(user)
    if Role.COLLEGE_STAFF in roles:
        context["programs"] = list(selectors.programs_for(user)[:20])
        context["recommendations"] = selectors.recommendations_for(user)
        # When every one is too late (the latest matched quarter's season is running), the page says so
        # above the list and points to the seasons ahead; one without any date is not called too late.
        context["recommendations_in_time"] = any(r.feasible or r.act_by is None for r in context["recommendations"])
        from . import warning_board

        context["today"] = timezone.localdate()
        context["forward"] = warning_board.college_actions(user, today=context["today"])[:5]
    if Role.REVIEWER in roles:
        context.setdefault("today", timezone.localdate())
        context["review"] = selectors.reviewer_overview(context["today"])
    if roles:
        from gaps import warning_selectors
        from gaps.models import WarningStatus

        from django.db.models import Count, Min, Q
        # What must be acted on now (SPEC.md "Act by"): the entries to act on within ACT_WINDOW_DAYS and
        # those a full program can no longer meet but a short course still can, whose deadline is the
        # short course's (often the earliest of all: a headline without them named a later day).
        short = Q(status=WarningStatus.SHORT_COURSE_ONLY)
        urgent = warning_selectors.warnings_visible_to(user).filter(
            status__in=[WarningStatus.ACT_NOW, WarningStatus.SHORT_COURSE_ONLY]).aggregate(
            n=Count("id"), short=Count("id", filter=short),
            act_by=Min("act_by", filter=Q(status=WarningStatus.ACT_NOW)), short_by=Min("short_course_by", filter=short))
        context["act_now"], context["act_now_short"] = urgent["n"], urgent["short"]
        context["act_now_by"] = min((d for d in (urgent["act_by"], urgent["short_by"]) if d), default=None)
        context.setdefault("today", timezone.localdate())
    return render(request, "web/home.html", context)


# --- Reports --------------------------------------------------------------------------------------


def _report_page_url(region, quarter: str) -> str:
    return reverse("web:report", kwargs={"region_code": region.code, "quarter": quarter})


logger = logging.getLogger(__name__)

def _import_interrupted(request, exc, render_page) -> HttpResponse:
    """The answer to an upload the lost database connection interrupted (core.imports DatabaseUnavailable):
    503 with Retry-After and the importer's message. The page itself when the database answers again
    (the broken connection is dropped first, so the page opens a new one); while it is still away, a
    page that needs no database at all, with the same message and a link back."""
    connection.close_if_unusable_or_obsolete()
    try:
        response = render_page()
    except DatabaseError:
        logger.warning("upload page: the database is still unavailable; answering without it", exc_info=True)
        connection.close_if_unusable_or_obsolete()
        back = request.path.rsplit("/", 2)[0] + "/"  # .../upload/ -> the page the form was on
        response = render(request, "web/unavailable.html", {"message": exc.message, "back": back}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)  # as the import API answers
    return response


LINES_PER_PAGE = 50


def _missing_rates(report) -> tuple[list, str]:
    """The report's lines without an exchange rate on their need date, and the currencies that have
    one, listed as the reader's language lists ("CNY, KZT" / "CNY、KZT")."""
    missing, currencies = gap_selectors.lines_without_rate(report)
    return missing, text.join_list(currencies)


def _render_report(request, region, quarter: str, *, form: ReportLineForm | None = None, problems=None,
                   status: int = 200):
    report = selectors.report_for_page(region, quarter)
    can_edit = can_edit_region_reports(request.user, region)
    # The lines a page at a time (LINES_PER_PAGE), narrowed by ?lines_q= (a title, an occupation, a code).
    all_lines = selectors.report_lines(report)
    line_query = (request.GET.get("lines_q") or "").strip()[:200]
    shown = selectors.search_report_lines(all_lines, line_query) if line_query and report is not None else all_lines
    line_page, line_problems = lists.paginate(request, shown, per_page=LINES_PER_PAGE, param="lines_page",
                                              fragment="#lines")
    lines = list(line_page.object_list)
    if status == 200:
        status = lists.status_for(line_problems)
    # The occupations a title may mean, for the lines a person may still code or re-code.
    candidates = selectors.line_candidates(lines) if can_edit and report is not None else {}
    for line in lines:
        line.candidates = candidates.get(line.line_no, [])
    context = {
        "region": region,
        "quarter": quarter,
        "report": report,
        "lines": lines,
        "can_edit": can_edit,
        # Lines are added to the draft; with no report yet the first line opens one.
        "can_add_lines": can_edit and (report is None or report.status == ReportStatus.DRAFT),
        "form": form or ReportLineForm(region=region),
        "history": selectors.reports_of(region, quarter).exclude(pk=getattr(report, "pk", None)),
        "ReportStatus": ReportStatus,
        "results": selectors.region_results(region, quarter),
        "timeline": selectors.season_timeline(report),
        "supply_window_days": settings.SUPPLY_WINDOW_DAYS,
        "upload_form": ReportUploadForm(),
        "problems": problems,
        "line_page": line_page,
        "line_problems": line_problems,
        "line_query": line_query,
        "line_total": all_lines.count() if report is not None else 0,
        "quarter_nav": selectors.report_quarter_nav(region, quarter),
        "due": selectors.report_due(region, quarter),
        "missing_rates": _missing_rates(report),
    }
    return render(request, "web/report.html", context, status=status)


@login_required
@require_GET
def report_results(request: HttpRequest, region_code: str, quarter: str) -> HttpResponse:
    """The matching results section alone: htmx polls it while a run is under way. Opened directly
    (a bookmark, a shared link: no HX-Request header) it sends the reader to the report page's results
    instead of showing an unstyled fragment."""
    region = selectors.region_for(request.user, region_code)
    quarter = selectors.parse_quarter_or_404(quarter)
    results = selectors.region_results(region, quarter)
    if results is None:
        raise Http404
    if request.headers.get("HX-Request") != "true":
        return redirect(reverse("web:report", kwargs={"region_code": region.code, "quarter": str(quarter)}) + "#results")
    return render(request, "web/partials/results.html", {"region": region, "quarter": quarter, "results": results})


@login_required
@require_GET
def report_page(request: HttpRequest, region_code: str, quarter: str) -> HttpResponse:
    region = selectors.region_for(request.user, region_code)
    quarter = selectors.parse_quarter_or_404(quarter)
    return _render_report(request, region, quarter)


@login_required
@require_POST
def report_line_add(request: HttpRequest, region_code: str, quarter: str) -> HttpResponse:
    region = selectors.region_for(request.user, region_code)
    quarter = selectors.parse_quarter_or_404(quarter)
    form = ReportLineForm(request.POST, region=region)
    if form.is_valid():
        current = selectors.report_for_page(region, quarter)
        if current is not None and current.status != ReportStatus.DRAFT:
            form.add_error(None, _("This report is %(status)s. Start a new draft to change it.") % {
                "status": current.get_status_display()})
        else:
            try:
                report = report_services.report_create(region=region, quarter=quarter, user=request.user)
                line = report_services.report_line_add(report=report, user=request.user, **form.line_fields())
            except ValidationError as exc:
                form.add_service_error(exc)
            else:
                (messages.warning if line.is_uncoded else messages.success)(request, _line_added_message(line))
                return redirect(_report_page_url(region, quarter) + "#lines")
    # 422 tells htmx and tests alike that nothing was saved; browsers show the page as usual.
    return _render_report(request, region, quarter, form=form, status=422)


def _line_added_message(line) -> str:
    """What became of a line's occupation: picked, coded by the search (and how to change it), or not coded."""
    if line.is_auto_coded:
        return _(
            "Line %(number)s added. The title “%(title)s” was coded as %(occupation)s "
            "(confidence %(confidence)s). If that is not the occupation, change it in the line below."
        ) % {
            "number": line.line_no, "title": line.occupation_title,
            "occupation": text.occupation_label(line.occupation_id),
            "confidence": text.format_percent(line.coding_confidence),
        }
    if line.is_uncoded:
        return _(
            "Line %(number)s added without an occupation: no occupation matches “%(title)s” closely enough "
            "to choose one for you. Pick it in the line below; until then the matching cannot compare the "
            "line with any program."
        ) % {"number": line.line_no, "title": line.occupation_title}
    return _("Line %(number)s added.") % {"number": line.line_no}


@login_required
@require_http_methods(["GET", "POST"])
def report_line_edit(request: HttpRequest, region_code: str, quarter: str, line_no: int) -> HttpResponse:
    """Change a line of the draft in place (gaps.services.report_line_update), not delete and re-add it."""
    region, quarter, line = _report_line_or_404(request.user, region_code, quarter, line_no)
    if not can_edit_region_reports(request.user, region):
        raise PermissionDenied
    editable = line.report.status == ReportStatus.DRAFT
    if request.method == "POST" and editable:
        form = ReportLineForm(request.POST, region=region)
        if form.is_valid():
            fields = form.line_fields()
            if fields["occupation"] is not None and fields["occupation"].pk == line.occupation_id:
                # The occupation was kept: so are the title it was coded from and how it was coded.
                fields["occupation_title"], fields["coding_confidence"] = line.occupation_title, line.coding_confidence
            try:
                report_services.report_line_update(line=line, user=request.user, **fields)
            except ValidationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, _("Line %(number)s saved.") % {"number": line_no})
                return redirect(_report_page_url(region, quarter) + "#lines")
    else:
        form = ReportLineForm(initial=_line_initial(line), region=region)
    return render(request, "web/report_line.html", {
        "region": region, "quarter": quarter, "line": line, "form": form, "editable": editable,
    }, status=422 if request.method == "POST" else 200)


def _line_initial(line) -> dict:
    occupation = line.occupation
    return {
        "occupation_query": f"{occupation.code} {occupation.title}" if occupation else line.occupation_title,
        "occupation_code": occupation.code if occupation else "",
        "sector": line.sector, "headcount": line.headcount, "salary_min": line.salary_min,
        "salary_max": line.salary_max, "currency": line.currency, "season_start": line.season_start,
        "season_end": line.season_end, "certification": line.certification,
        "languages": list(line.languages or []), "note": line.note,
    }


def _report_line_or_404(user, region_code: str, quarter: str, line_no: int):
    """The line of the region's report shown for the quarter; 404 outside the user's regions."""
    region = selectors.region_for(user, region_code)
    quarter = selectors.parse_quarter_or_404(quarter)
    report = selectors.report_for_page(region, quarter)
    if report is None:
        raise Http404
    return region, quarter, get_object_or_404(report.lines, line_no=line_no)


@login_required
@require_POST
def report_line_delete(request: HttpRequest, region_code: str, quarter: str, line_no: int) -> HttpResponse:
    region, quarter, line = _report_line_or_404(request.user, region_code, quarter, line_no)
    try:
        report_services.report_line_delete(line=line, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Line %(number)s deleted.") % {"number": line_no})
    return redirect(_report_page_url(region, quarter) + "#lines")


@login_required
@require_POST
def report_line_code(request: HttpRequest, region_code: str, quarter: str, line_no: int) -> HttpResponse:
    """Pick the unit group of an uncoded line (gaps.services.line_set_occupation re-matches after)."""
    from gaps.models import Occupation

    region, quarter, line = _report_line_or_404(request.user, region_code, quarter, line_no)
    code = (request.POST.get("occupation_code") or request.POST.get("occupation_query") or "").strip()
    occupation = Occupation.objects.filter(code=code).first() if re.fullmatch(r"\d{4}", code) else None
    if occupation is None:
        messages.error(request, _("Pick an occupation from the list for line %(number)s.") % {"number": line_no})
    else:
        try:
            report_services.line_set_occupation(line=line, occupation=occupation, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Line %(number)s is now coded %(code)s.") % {"number": line_no, "code": code})
    return redirect(_report_page_url(region, quarter) + "#lines")


def _transition(request, region_code: str, quarter: str, action, done_message: str) -> HttpResponse:
    region = selectors.region_for(request.user, region_code)
    quarter = selectors.parse_quarter_or_404(quarter)
    report = selectors.report_for_page(region, quarter)
    if report is None:
        raise Http404
    try:
        action(report=report, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done_message)
    return redirect(_report_page_url(region, quarter))


@login_required
@require_POST
def report_submit(request, region_code: str, quarter: str) -> HttpResponse:
    return _transition(request, region_code, quarter, report_services.report_submit,
                       _("The report was submitted. Matching for the quarter will include it."))


@login_required
@require_POST
def report_withdraw(request, region_code: str, quarter: str) -> HttpResponse:
    return _transition(request, region_code, quarter, report_services.report_withdraw,
                       _("The report was withdrawn. Its lines leave the quarter's matching."))


@login_required
@require_POST
def report_revise(request, region_code: str, quarter: str) -> HttpResponse:
    return _transition(request, region_code, quarter, report_services.report_revise,
                       _("A new draft was started from the report's lines. Submit it to replace the report."))


@login_required
@require_GET
def report_template(request: HttpRequest, region_code: str, quarter: str) -> HttpResponse:
    """The XLSX template with the region and quarter filled in (and the current lines, if any)."""
    region = selectors.region_for(request.user, region_code)
    quarter = selectors.parse_quarter_or_404(quarter)
    report = selectors.report_for_page(region, quarter)
    content = xlsx.report_template(region_code=region.code, quarter=quarter, lines=selectors.report_lines(report))
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="talentgap-{region.code}-{quarter}.xlsx"'
    return response


@login_required
@require_POST
def report_upload(request: HttpRequest, region_code: str, quarter: str) -> HttpResponse:
    """Import a filled-in template through gaps.importers: all rows or nothing, errors by row and column."""
    from core.imports.errors import DatabaseUnavailable, ImportRejected, Problem
    from gaps.importers import GapReportImporter

    region = selectors.region_for(request.user, region_code)
    quarter = selectors.parse_quarter_or_404(quarter)
    if not (request.user.is_superuser or can_edit_region_reports(request.user, region)):
        raise PermissionDenied  # reviewers read reports; only the region's officials file them
    form = ReportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        problems = [Problem(None, "file", message) for messages in form.errors.values() for message in messages]
        return _render_report(request, region, quarter, problems=problems, status=422)
    upload = form.cleaned_data["file"]
    importer = GapReportImporter(user=request.user, submit=form.cleaned_data["submit"])
    try:
        result = importer.run(upload, filename=upload.name or "")
    except ImportRejected as exc:
        return _render_report(request, region, quarter, problems=exc.problems, status=422)
    except DatabaseUnavailable as exc:
        lost = [Problem(None, "file", exc.message)]
        return _import_interrupted(request, exc, lambda: _render_report(
            request, region, quarter, problems=lost, status=503))
    except PermissionDenied as exc:
        return _render_report(request, region, quarter, problems=[Problem(None, None, str(exc))], status=422)
    for imported in result.get("reports", []):
        messages.success(request, _("%(region)s %(quarter)s: %(lines)s lines imported (%(uncoded)s not coded yet); the report is %(status)s.") % {
            "region": imported["region"], "quarter": imported["quarter"], "lines": imported["lines"],
            "uncoded": imported["uncoded"], "status": ReportStatus(imported["status"]).label})
    return redirect(_report_page_url(region, quarter) + "#lines")


# --- Occupation search (htmx) ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def occupation_search(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("q") or request.GET.get("occupation_query") or "").strip()
    # One Latin letter matches half the taxonomy; one Chinese character is already a word.
    long_enough = len(query) >= 2 or (query and not query.isascii())
    hits = selectors.search_occupations(query) if long_enough else []
    return render(request, "web/partials/occupation_results.html", {"hits": hits, "query": query,
                                                                     "long_enough": long_enough})


# --- Colleges and reviewers ------------------------------------------------------------------------


@login_required
@require_GET
def programs_page(request: HttpRequest) -> HttpResponse:
    """The programs and cohorts of the user's colleges (every college for reviewers)."""
    colleges = selectors.colleges_for(request.user)
    if not colleges.exists() and not sees_everything(request.user):
        raise Http404
    return _programs_page(request, ProgramUploadForm(), None, status=200)


def _program_form_page(request, form, *, program=None, status=200):
    return render(request, "web/program_form.html", {"form": form, "program": program}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def program_create(request: HttpRequest) -> HttpResponse:
    from training import services as training_services

    colleges = selectors.editable_colleges(request.user)
    if not colleges.exists():
        raise Http404
    form = ProgramForm(request.POST or None, colleges=colleges)
    if request.method == "POST" and form.is_valid():
        try:
            program = training_services.program_create(
                college=form.cleaned_data["college"], user=request.user, **form.service_fields()
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Program %(code)s created.") % {"code": program.code})
            return redirect(_program_url(request, program))
    return _program_form_page(request, form, status=422 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def program_edit(request: HttpRequest, pk: int) -> HttpResponse:
    from training import services as training_services

    colleges = selectors.editable_colleges(request.user)
    program = get_object_or_404(selectors.programs_for(request.user).filter(college__in=colleges), pk=pk)
    form = ProgramForm(request.POST or None, colleges=colleges, program=program)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        try:
            training_services.program_update(program=program, user=request.user, **fields)
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Program %(code)s saved.") % {"code": fields["code"]})
            return redirect(_program_url(request, program))
    return _program_form_page(request, form, program=program, status=422 if request.method == "POST" else 200)


@login_required
@require_POST
def cohort_add(request: HttpRequest, pk: int) -> HttpResponse:
    from training import services as training_services

    program = get_object_or_404(
        selectors.programs_for(request.user).filter(college__in=selectors.editable_colleges(request.user)), pk=pk
    )
    form = CohortForm(request.POST)
    if form.is_valid():
        try:
            training_services.cohort_create(program=program, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            messages.success(request, _("Cohort added to %(code)s.") % {"code": program.code})
            return redirect(_program_url(request, program))
    # The page again, the program's "Add a cohort" open with what was typed and its errors.
    return _programs_page(request, ProgramUploadForm(), None, cohort_form=form, cohort_program=program.pk, status=422)


def _add_service_errors(form, error: ValidationError) -> None:
    """A service's ValidationError onto the form: by field where the form has it, else at the top."""
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            for message in errors:
                form.add_error(name if name in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def _form_errors_message(form) -> str:
    """One message naming each field with its errors (the cohort forms sit inline in a list)."""
    return " ".join(f"{form.fields[name].label}: {' '.join(errors)}" if name in form.fields else " ".join(errors)
                    for name, errors in form.errors.items())


@login_required
@require_POST
def cohort_edit(request: HttpRequest, pk: int, cohort_pk: int) -> HttpResponse:
    """Change a cohort's seats and dates, or delete it (`delete` in the form), through training.services."""
    from training import services as training_services

    program = get_object_or_404(
        selectors.programs_for(request.user).filter(college__in=selectors.editable_colleges(request.user)), pk=pk
    )
    cohort = get_object_or_404(program.cohorts, pk=cohort_pk)
    try:
        if "delete" in request.POST:
            training_services.cohort_delete(cohort=cohort, user=request.user)
            messages.success(request, _("Cohort deleted."))
        else:
            form = CohortForm(request.POST)
            if form.is_valid():
                training_services.cohort_update(cohort=cohort, user=request.user, **form.cleaned_data)
                messages.success(request, _("Cohort updated."))
            else:
                messages.error(request, _form_errors_message(form))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(_program_url(request, program))


@login_required
@require_GET
def programs_template(request: HttpRequest) -> HttpResponse:
    """The programs-and-cohorts XLSX template, the user's college codes filled in (college staff who may
    edit a college, and administrators)."""
    colleges = selectors.editable_colleges(request.user)
    if not colleges.exists() and not request.user.is_superuser:
        raise Http404
    content = xlsx.program_template(college_codes=list(colleges.order_by("code").values_list("code", flat=True)))
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="talentgap-programs.xlsx"'
    return response


@login_required
@require_POST
def programs_upload(request: HttpRequest) -> HttpResponse:
    """Import programs and cohorts (training.importers): all rows or nothing, problems by row and column."""
    from core.imports.errors import DatabaseUnavailable, ImportRejected, Problem
    from training.importers import ProgramImporter

    if not selectors.editable_colleges(request.user).exists() and not request.user.is_superuser:
        raise Http404
    form = ProgramUploadForm(request.POST, request.FILES)
    problems, status = None, 422
    if not form.is_valid():
        problems = [Problem(None, "file", m) for errors in form.errors.values() for m in errors]
    else:
        upload = form.cleaned_data["file"]
        try:
            result = ProgramImporter(user=request.user).run(upload, filename=upload.name or "")
        except ImportRejected as exc:
            problems = exc.problems
        except DatabaseUnavailable as exc:
            lost = [Problem(None, "file", exc.message)]
            return _import_interrupted(request, exc, lambda: _programs_page(request, form, lost, status=503))
        else:
            totals = {kind: sum(result.get(kind, {}).values()) for kind in ("created", "updated", "unchanged")}
            messages.success(request, _(
                "File imported: %(created)s records created, %(updated)s updated, %(unchanged)s unchanged.") % totals)
            return redirect("web:programs")
    return _programs_page(request, form, problems, status=status)


PROGRAMS_PER_PAGE = 20


def _program_url(request, program) -> str:
    """The programs page at the program: the page of the unfiltered list it sits on (the list's own
    order, PROGRAMS_PER_PAGE a page), scrolled to it, so that after saving a program the college
    sees it rather than page 1 (issue 14)."""
    pks = list(selectors.programs_for(request.user).values_list("pk", flat=True))
    url = reverse("web:programs")
    try:
        number = pks.index(program.pk) // PROGRAMS_PER_PAGE + 1
    except ValueError:  # not among the user's programs any more: the list's first page
        number = 1
    if number > 1:
        url += f"?page={number}"
    return url + f"#program-{program.pk}"


def _programs_page(request, form, problems, *, status: int, cohort_form=None, cohort_program=None) -> HttpResponse:
    """The programs page after an upload that imported nothing (with its problems), or after a cohort
    that was not added (with its form as typed): the programs filtered by college, occupation and a
    search, PROGRAMS_PER_PAGE at a time."""
    from .filters import ProgramFilter

    filterset = ProgramFilter(request.GET, queryset=selectors.programs_for(request.user),
                              colleges=selectors.colleges_for(request.user))
    list_problems = lists.filter_problems(filterset)
    page, more = lists.paginate(request, filterset.qs, per_page=PROGRAMS_PER_PAGE, fragment="#program-list")
    list_problems += more
    if status == 200:
        status = lists.status_for(list_problems)
    return render(request, "web/programs.html", {
        "programs": page.object_list,
        "page": page,
        "filter": filterset,
        "list_problems": list_problems,
        "recommendations": selectors.recommendations_for(request.user, limit=50),
        "can_edit": selectors.editable_colleges(request.user).exists(),
        "editable_ids": set(selectors.editable_colleges(request.user).values_list("pk", flat=True)),
        "cohort_form": CohortForm(),
        "failed_cohort_form": cohort_form,
        "failed_cohort_program": cohort_program,
        "upload_form": form,
        "problems": problems,
    }, status=status)


def _gap_quarter(request) -> tuple[str, list[lists.ListProblem]]:
    """The quarter a gap list shows: ?quarter=, else selectors.default_gap_quarter (the first quarter
    with a gap training can still be in time for). A quarter that cannot be read is named in a
    problem, and the default one shown."""
    raw = (request.GET.get("quarter") or "").strip()
    if raw:
        try:
            return str(Quarter.parse(raw)), []
        except ValueError:
            return selectors.default_gap_quarter(), [lists.ListProblem("quarter", _(
                "The parameter “quarter” must be a quarter written like 2026Q3, not “%(value)s”: the latest "
                "quarter is shown.") % {"value": raw[:40]})]
    return selectors.default_gap_quarter(), []


@login_required
@require_GET
def gaps_page(request: HttpRequest) -> HttpResponse:
    """Reviewers: the review queue of a quarter, the express lane first. College staff: the
    aggregate gap list (SPEC.md lets them see it, not decide it). Filtered by region, occupation
    and a search, a page at a time."""
    from .filters import GapFilter

    user = request.user
    if not (can_review(user) or user.has_role(Role.COLLEGE_STAFF)):
        raise Http404
    quarter, problems = _gap_quarter(request)
    today = timezone.localdate()
    quarters = selectors.gap_quarters()
    ends = {q: Quarter.parse(q).end for q in quarters}
    season_end = Quarter.parse(quarter).end
    filterset = GapFilter(request.GET, queryset=selectors.gap_list(user, quarter))
    problems += lists.filter_problems(filterset)
    page, more = lists.paginate(request, filterset.qs, fragment="#gap-list")
    problems += more
    selectors.queue_timing(page.object_list, today)
    return render(request, "web/gaps.html", {
        "page": page,
        "gaps": page.object_list,
        "filter": filterset,
        "problems": problems,
        "quarter": quarter,
        "quarters": quarters,
        # Quarters under way or ahead first (the current one, then the next); those whose season is over
        # apart, newest first, marked too late.
        "coming_quarters": sorted(q for q in quarters if ends[q] >= today),  # the current first
        "past_quarters": [q for q in quarters if ends[q] < today],
        "quarter_is_past": season_end < today,
        "season_end": season_end,
        "can_review": can_review(user),
        "sees_decisions": selectors.sees_decided_gaps(user),
        "heatmap": selectors.shortfall_heatmap(quarter),
    }, status=lists.status_for(problems))


@login_required
@require_GET
def decided_gaps_page(request: HttpRequest) -> HttpResponse:
    """Gaps a reviewer approved or rejected, newest decision first, with who decided, when, and the
    project an approval created. Reviewers see all of them; officials their regions' (as each gap's
    page shows them the decision); college staff, who do not read decisions, do not have the page."""
    from .filters import DecidedGapFilter

    user = request.user
    if not selectors.sees_decided_gaps(user):
        raise Http404
    filterset = DecidedGapFilter(request.GET, queryset=selectors.decided_gaps(user))
    problems = lists.filter_problems(filterset)
    page, more = lists.paginate(request, filterset.qs, fragment="#decided-list")
    problems += more
    return render(request, "web/gaps_decided.html", {
        "page": page,
        "gaps": page.object_list,
        "filter": filterset,
        "problems": problems,
        "can_review": can_review(user),
    }, status=lists.status_for(problems))


@login_required
@require_GET
def gap_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_gap(request, selectors.gap_for(request.user, pk))


def _render_gap(request, gap, *, form: GapDecisionForm | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    decision = selectors.gap_decision(gap, user)
    # Back to where the gap came from: the region's report (for those who may open it), the list.
    report_url = (_report_page_url(gap.region, gap.quarter)
                  if selectors.regions_for(user).filter(pk=gap.region_id).exists() else "")
    if gap.is_active and not selectors.gap_is_decided(gap):
        # Still to be decided: by when training must start, and the real reason when it is too late,
        # as the review queue says it (a decision asks someone to act, so it carries the date).
        from projects.selectors import with_timing

        today = timezone.localdate()
        selectors.queue_timing([with_timing(gap, today)], today)
    return render(request, "web/gap.html", {
        "sees_gap_list": can_review(user) or user.has_role(Role.COLLEGE_STAFF),
        "decided_list": (reverse("web:gaps-decided") + f"?region={gap.region.code}"
                         if decision and selectors.sees_decided_gaps(user) else ""),
        "report_url": report_url,
        "gap": gap,
        "evidence": selectors.gap_evidence(gap, request.user),
        "decision": decision,
        "full": selectors.sees_gap_in_full(request.user, gap),
        "can_review": can_review(request.user),
        "form": form or GapDecisionForm(),
    }, status=status)


@login_required
@require_POST
def gap_decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Approve (a project is created at once) or reject (with its reason) through projects.services."""
    from projects import services as project_services

    gap = selectors.gap_for(request.user, pk)
    form = GapDecisionForm(request.POST)
    if form.is_valid():
        comment = form.cleaned_data["comment"]
        try:
            if action == "approve":
                project = project_services.gap_approve(gap=gap, user=request.user, comment=comment)
                messages.success(request, _("Gap approved. Cooperation project “%(title)s” was created.")
                                 % {"title": project.display_title})
            else:
                project_services.gap_reject(gap=gap, user=request.user, comment=comment)
                messages.success(request, _("Gap rejected."))
        except project_services.DecisionConflict as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field_name, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error("comment" if field_name in ("comment", "__all__") else None, error)
            else:
                for error in exc.messages:
                    form.add_error(None, error)
            return _render_gap(request, gap, form=form, status=422)
        return redirect("web:gap", pk=gap.pk)
    return _render_gap(request, gap, form=form, status=422)


# --- Project repository ------------------------------------------------------------------------------


@login_required
@require_GET
def projects_page(request: HttpRequest) -> HttpResponse:
    """The cooperation project repository: results first, then the projects, filtered like the API."""
    from projects.selectors import aggregate_results, project_list, results_by_project

    from .filters import project_filter

    filterset = project_filter(request.GET, project_list(user=request.user).order_by("-approved_at", "-pk"))
    problems = lists.filter_problems(filterset)  # a refused filter is left out, the others still apply
    page, more = lists.paginate(request, filterset.qs, fragment="#project-list")
    problems += more
    projects = list(page.object_list)
    # The export holds what the list holds: its valid filters, every page.
    export_query = lists.query_without(request, "page", *(p.param for p in problems))
    results = results_by_project([p.pk for p in projects])
    return render(request, "web/projects.html", {
        "filter": filterset,
        "page": page,
        "problems": problems,
        "projects": projects,
        "results": results,
        "chart": selectors.results_chain_chart(projects, results),
        "total": aggregate_results(filterset.qs),
        "export_query": export_query,
    }, status=lists.status_for(problems))


def _render_project(request, project, *, plan_form=None, outcome_form=None, status=200) -> HttpResponse:
    from projects.selectors import results_by_project
    from projects.services import ALLOWED_TRANSITIONS

    reviewer = can_review(request.user)
    transitions = _transitions(project.status, ALLOWED_TRANSITIONS) if reviewer else []
    # Activation needs a lead college and every condition supplemented (projects.services.project_activate):
    # until then the page says what is missing instead of offering a button that cannot work.
    activate_todo = []
    if any(t["action"] == "activate" for t in transitions):
        if project.lead_college_id is None:
            activate_todo.append(_("name a lead college in the plan"))
        if project.conditions.open().exists():
            activate_todo.append(_("supplement every performance condition"))
        if activate_todo:
            transitions = [t for t in transitions if t["action"] != "activate"]
    return render(request, "web/project.html", {
        "project": project,
        "results": results_by_project([project.pk])[project.pk],
        "conditions": project.conditions.order_by("due_date", "pk"),
        "outcomes": project.outcomes.select_related("cohort__program__college").order_by("cohort__graduation_date"),
        "can_manage": reviewer,
        "plan_form": plan_form or (ProjectPlanForm(project=project) if reviewer else None),
        "outcome_form": outcome_form or (OutcomeForm(project=project) if reviewer else None),
        "transitions": transitions,
        "activate_todo": activate_todo,
    }, status=status)


def _transitions(status: str, allowed: dict) -> list[dict]:
    # A suspended project resumes to the status it had before (the service knows which).
    targets = {"fast_tracked", "cancelled"} if status == "suspended" else allowed[status]
    return [PROJECT_ACTIONS[t] for t in sorted(targets) if t in PROJECT_ACTIONS]


def _project_for(request, pk: int):
    from projects.selectors import project_list

    return get_object_or_404(project_list(user=request.user), pk=pk)


@login_required
@require_GET
def project_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_project(request, _project_for(request, pk))


@login_required
@require_POST
def project_plan(request: HttpRequest, pk: int) -> HttpResponse:
    from projects import services as project_services

    project = _project_for(request, pk)
    form = ProjectPlanForm(request.POST, project=project)
    if form.is_valid():
        try:
            project_services.project_update(project=project, user=request.user, **form.service_fields())
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("The project's plan was saved."))
            return redirect("web:project", pk=project.pk)
    return _render_project(request, project, plan_form=form, status=422)


# Status a reviewer can move a project to -> (service, button label); resuming goes back to the
# status before the suspension, which the service knows.
PROJECT_ACTIONS = {
    "active": {"action": "activate", "label": gettext_lazy("Activate"),
               "confirm": gettext_lazy("Activate the project? It cannot go back to fast-tracked.")},
    "completed": {"action": "complete", "label": gettext_lazy("Mark completed"),
                  "confirm": gettext_lazy("Mark the project completed? This is final.")},
    "suspended": {"action": "suspend", "label": gettext_lazy("Suspend"),
                  "confirm": gettext_lazy("Suspend the project? It can be resumed later.")},
    "cancelled": {"action": "cancel", "label": gettext_lazy("Cancel the project"),
                  "confirm": gettext_lazy("Cancel the project? This is final.")},
    "fast_tracked": {"action": "resume", "label": gettext_lazy("Resume"),
                     "confirm": gettext_lazy("Resume the project?")},
}


@login_required
@require_POST
def project_transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    from projects import services as project_services

    project = _project_for(request, pk)
    service = {
        "activate": project_services.project_activate, "complete": project_services.project_complete,
        "suspend": project_services.project_suspend, "resume": project_services.project_resume,
        "cancel": project_services.project_cancel,
    }.get(action)
    if service is None:
        raise Http404
    try:
        service(project=project, user=request.user, reason=request.POST.get("reason", "").strip())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The project's status was changed."))
    return redirect("web:project", pk=project.pk)


@login_required
@require_POST
def condition_supplement(request: HttpRequest, pk: int, condition_pk: int) -> HttpResponse:
    from projects import services as project_services

    project = _project_for(request, pk)
    condition = get_object_or_404(project.conditions, pk=condition_pk)
    try:
        project_services.condition_supplement(condition=condition, user=request.user,
                                              supplement=request.POST.get("supplement", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The condition was marked supplemented."))
    return redirect("web:project", pk=project.pk)


@login_required
@require_POST
def outcome_add(request: HttpRequest, pk: int) -> HttpResponse:
    from projects import services as project_services

    project = _project_for(request, pk)
    form = OutcomeForm(request.POST, project=project)
    if form.is_valid():
        try:
            project_services.outcome_create(project=project, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("The cohort's outcome was recorded."))
            return redirect(reverse("web:project", args=[project.pk]) + "#outcomes-title")
    return _render_project(request, project, outcome_form=form, status=422)


# --- The early warning ------------------------------------------------------------------------------


BOARD_PAGE = 50


@login_required
@require_GET
def warnings_page(request: HttpRequest) -> HttpResponse:
    """The early-warning board, one section per role the user holds (web.warning_board): filtered by
    status, season, region, occupation and a search; the board, the colleges' actions and the
    notifications a page at a time, each with its own page parameter."""
    from gaps import warning_selectors

    from . import warning_board
    from .filters import WarningFilter

    user = request.user
    today = timezone.localdate()
    warning_board.ensure_fresh(today)
    roles = selectors.roles_of(user)
    reviewer = can_review(user)
    filterset = WarningFilter(request.GET, queryset=warning_board.visible(user))
    problems = lists.filter_problems(filterset)
    page, more = lists.paginate(request, warning_selectors.board_order(filterset.qs), per_page=BOARD_PAGE,
                                fragment="#ew-board-title")
    problems += more
    notices, more = lists.paginate(request, warning_board.notices_for(user, limit=None), param="notices_page",
                                   fragment="#ew-notices-title")
    problems += more
    context = {
        "today": today,
        "roles": roles,
        "Role": Role,
        "can_review": reviewer,
        "filter": filterset,
        "problems": problems,
        "page": page,
        "rows": warning_board.board_rows(page.object_list, today=today,
                                         charts=Role.OFFICIAL in roles and not reviewer and page.number == 1),
        "notices_page": notices,
        "notices": notices.object_list,
    }
    if Role.COLLEGE_STAFF in roles:
        actions, more = lists.paginate(request, warning_board.college_actions(user, today=today),
                                       param="actions_page", fragment="#ew-actions-title")
        problems += more
        context["actions_page"], context["actions"] = actions, actions.object_list
    return render(request, "web/warnings.html", context, status=lists.status_for(problems))


@login_required
@require_GET
def warning_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_warning(request, pk)


def _render_warning(request, pk: int, *, status: int = 200, error: str = "") -> HttpResponse:
    from gaps import warning_selectors

    from . import warning_board

    today = timezone.localdate()
    warning = warning_board.warning_for(request.user, pk)
    series = warning_board.history(warning)
    recommendations = [r for r in warning_board.college_actions(request.user, today=today) if r.warning_id == warning.pk]
    return render(request, "web/warning.html", {
        "w": warning,
        "today": today,
        "days_left": warning_selectors.days_left(warning, today=today),
        "detail": warning_selectors.warning_detail(warning, today=today),
        "history": series,
        "chart": warning_board.forecast_chart(warning, series),
        "recommendations": recommendations,
        "can_review": can_review(request.user),
        "project": getattr(warning, "origin_project", None),
        "error": error,
    }, status=status)


@login_required
@require_POST
def warning_fast_track(request: HttpRequest, pk: int) -> HttpResponse:
    """Reviewers: fast-track the entry into a cooperation project (projects.services.warning_fast_track)."""
    from projects import services as project_services

    from . import warning_board

    warning = warning_board.warning_for(request.user, pk)
    if not can_review(request.user):
        raise PermissionDenied
    comment = (request.POST.get("comment") or "").strip()[:2000]
    try:
        project = project_services.warning_fast_track(warning=warning, user=request.user, comment=comment)
    except (project_services.WarningConflict, project_services.DecisionConflict) as exc:
        messages.error(request, str(exc))
        return redirect("web:warning", pk=warning.pk)
    except ValidationError as exc:
        return _render_warning(request, warning.pk, status=422, error=" ".join(exc.messages))
    messages.success(request, _("Fast-tracked. Cooperation project “%(title)s” was created.") % {"title": project.display_title})
    return redirect("web:project", pk=project.pk)
