from django.urls import path

from xinfang.detection import views

app_name = "detection"
urlpatterns = [
    path("people/<int:petitioner_id>/", views.person, name="person"),
    path("people/<int:petitioner_id>/merge/", views.merge, name="merge"),
    path("merges/<int:merge_id>/undo/", views.merge_undo, name="merge_undo"),
    path("identity/", views.identity, name="identity"),
    path("petitions/<int:petition_id>/similar/", views.similar, name="similar"),
    path("petitions/<int:petition_id>/link/", views.link, name="link"),
    path("petitions/<int:petition_id>/refuse/", views.refuse, name="refuse"),
    path("reviews/", views.reviews, name="reviews"),
    path("reviews/<int:review_id>/resolve/", views.review_resolve, name="review_resolve"),
]
