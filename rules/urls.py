from django.urls import path

from rules import views

app_name = "rules"

urlpatterns = [
    path("working-days/", views.working_days, name="working_days"),
    path("clauses/", views.clause_search, name="clause_search"),
]
