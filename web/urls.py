from django.contrib.auth import views as auth_views
from django.urls import path

from . import plan_views, views

app_name = "web"

REPORT = "reports/<str:region_code>/<str:quarter>/"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html", redirect_authenticated_user=True),
         name="login"),
    path("logout/", views.LogoutPage.as_view(), name="logout"),
    path(REPORT, views.report_page, name="report"),
    path(REPORT + "lines/", views.report_line_add, name="report-line-add"),
    path(REPORT + "lines/<int:line_no>/edit/", views.report_line_edit, name="report-line-edit"),
    path(REPORT + "lines/<int:line_no>/delete/", views.report_line_delete, name="report-line-delete"),
    path(REPORT + "lines/<int:line_no>/code/", views.report_line_code, name="report-line-code"),
    path(REPORT + "submit/", views.report_submit, name="report-submit"),
    path(REPORT + "withdraw/", views.report_withdraw, name="report-withdraw"),
    path(REPORT + "revise/", views.report_revise, name="report-revise"),
    path(REPORT + "results/", views.report_results, name="report-results"),
    path(REPORT + "template.xlsx", views.report_template, name="report-template"),
    path(REPORT + "upload/", views.report_upload, name="report-upload"),
    path("occupations/search/", views.occupation_search, name="occupation-search"),
    path("programs/", views.programs_page, name="programs"),
    path("programs/new/", views.program_create, name="program-create"),
    path("programs/import/", views.programs_upload, name="programs-upload"),
    path("programs/template.xlsx", views.programs_template, name="programs-template"),
    path("programs/<int:pk>/edit/", views.program_edit, name="program-edit"),
    path("programs/<int:pk>/cohorts/", views.cohort_add, name="cohort-add"),
    path("programs/<int:pk>/cohorts/<int:cohort_pk>/", views.cohort_edit, name="cohort-edit"),
    path("projects/", views.projects_page, name="projects"),
    path("projects/<int:pk>/", views.project_page, name="project"),
    path("projects/<int:pk>/plan/", views.project_plan, name="project-plan"),
    path("projects/<int:pk>/outcomes/", views.outcome_add, name="outcome-add"),
    path("projects/<int:pk>/<str:action>/", views.project_transition, name="project-transition"),
    path("projects/<int:pk>/conditions/<int:condition_pk>/supplement/", views.condition_supplement,
         name="condition-supplement"),
    path("early-warnings/", views.warnings_page, name="warnings"),
    path("early-warnings/<int:pk>/", views.warning_page, name="warning"),
    path("early-warnings/<int:pk>/fast-track/", views.warning_fast_track, name="warning-fast-track"),
    path("plan/", plan_views.plan_page, name="training-plans"),
    path("plan/<int:pk>/", plan_views.plan_page, name="training-plan"),
    path("plan/<int:pk>/accept/", plan_views.plan_accept, name="training-plan-accept"),
    path("gaps/", views.gaps_page, name="gaps"),
    path("gaps/decided/", views.decided_gaps_page, name="gaps-decided"),
    path("gaps/<int:pk>/", views.gap_page, name="gap"),
    path("gaps/<int:pk>/approve/", views.gap_decide, {"action": "approve"}, name="gap-approve"),
    path("gaps/<int:pk>/reject/", views.gap_decide, {"action": "reject"}, name="gap-reject"),
]
