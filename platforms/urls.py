from django.urls import path

from . import views

urlpatterns = [
    # Last in the root URLconf: any other path is a comparison page's permalink, or a 404.
    path("<path:permalink>/", views.comparison_page, name="comparison-page"),
]
