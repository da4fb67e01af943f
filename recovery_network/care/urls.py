"""The circle of care, under /care/. Its pages lived under /network/ before: recovery_network/urls.py
sends those addresses here."""

from django.urls import path

from . import request_views, sign_views, views

app_name = "care"

urlpatterns = [
    # The circle of care: the owner's side
    path("", views.circle, name="circle"),
    path("invite/", views.invite, name="invite"),
    path("invitations/<id:pk>/withdraw/", views.invitation_withdraw, name="invitation_withdraw"),
    path("grants/<id:pk>/", views.grant_edit, name="grant_edit"),
    path("grants/<id:pk>/revoke/", views.grant_revoke, name="grant_revoke"),
    path("consents/new/", views.consent_create, name="consent_create"),
    path("consents/<id:pk>/", views.consent_detail, name="consent_detail"),
    path("consents/<id:pk>/revoke/", views.consent_revoke, name="consent_revoke"),
    path("consents/<id:pk>/renew/", views.consent_renew, name="consent_renew"),
    path("consents/<id:pk>/ask-to-renew/", views.consent_ask_renewal, name="consent_ask_renewal"),
    path("log/", views.access_log, name="access_log"),
    path("signs/", sign_views.warning_signs, name="warning_signs"),
    path("recommendations/<id:pk>/done/", views.recommendation_done, name="recommendation_done"),
    # The invitee's, family's and counselor's side
    path("join/<str:token>/", views.invitation, name="invitation"),
    path("people/<id:owner_id>/", views.person, name="person"),
    path("people/<id:owner_id>/encourage/", views.person_encourage, name="person_encourage"),
    path("helping/", views.how_to_help, name="how_to_help"),
    path("clients/", views.caseload, name="caseload"),
    path("clients/consents/", views.consent_records, name="consent_records"),
    path("clients/<id:owner_id>/", views.client, name="client"),
    path("clients/<id:owner_id>/report/", views.client_report, name="client_report"),
    path("clients/<id:owner_id>/recommend/", views.client_recommend, name="client_recommend"),
    # Consent requests: a counselor asks, the client reviews and signs or declines
    path("clients/ask/", request_views.consent_request_create, name="consent_request_create"),
    path("clients/requests/<id:pk>/withdraw/", request_views.consent_request_withdraw, name="consent_request_withdraw"),
    path("consent-requests/<str:token>/", request_views.consent_request, name="consent_request"),
    path("consent-requests/<str:token>/sign/", request_views.consent_request_sign, name="consent_request_sign"),
]
