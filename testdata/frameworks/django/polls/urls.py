from django.urls import path

from . import views

app_name = "polls"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:question_id>/", views.detail, name="detail"),
    path("visits/", views.visits, name="visits"),
    path("page/", views.page, name="page"),
]
