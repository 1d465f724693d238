"""Routes of gap review and the project repository (see projects/api/views.py for the list).

The decisions live under review/gaps/ so they never clash with the gaps app's own /gaps/ routes.
"""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import plan, views

router = SimpleRouter()
router.register("review/gaps", views.ReviewGapViewSet, basename="review-gap")
router.register("review/decisions", views.DecisionViewSet, basename="review-decision")
router.register("projects", views.ProjectViewSet, basename="project")
router.register("project-conditions", views.ConditionViewSet, basename="project-condition")
router.register("project-outcomes", views.OutcomeViewSet, basename="project-outcome")
router.register("training-plans", plan.TrainingPlanViewSet, basename="training-plan")

urlpatterns: list = [
    path("review-queue/", views.ReviewQueueView.as_view(), name="review-queue"),
    *router.urls,
]
