from django.urls import path

from dinhdanh.http.zones import Zone, serves_inner, serves_outer
from dinhdanh.people.views import auth, data_requests, register, resume, security

ZONE = Zone.BOTH  # sign-in and one's own account everywhere; registration outer; the officer desk inner
app_name = "people"

urlpatterns = [
    path("signin/", auth.signin_page, name="signin"),
    path("signin/verify/", auth.signin_verify, name="signin_verify"),
    path("signout/", auth.signout_page, name="signout"),
    path("step-up/", auth.step_up, name="step_up"),
    path("step-up/resume/<str:token>/", resume.step_up_resume, name="step_up_resume"),
    path("me/", security.me, name="me"),
    path("me/security/", security.security, name="security"),
    path("me/security/totp/", security.totp_enrol, name="totp_enrol"),
    path("me/security/totp/remove/", security.totp_remove, name="totp_remove"),
    path("me/security/recovery-codes/", security.recovery_regenerate, name="recovery_regenerate"),
    path("me/security/passkeys/<int:pk>/remove/", security.passkey_remove, name="passkey_remove"),
    path("me/security/sessions/<str:pk>/end/", security.session_revoke, name="session_revoke"),
    path("me/security/password/", security.password_change, name="password_change"),
    path("me/security/lock/", security.lock_self, name="lock_self"),
    path("me/data-requests/", data_requests.mine, name="data_requests"),
    path("me/data-requests/copy.json", data_requests.copy, name="data_copy"),
]
if serves_outer():
    # Self-service registration faces the public; the back office never offers it.
    urlpatterns += [
        path("register/", register.register, name="register"),
        path("register/confirm/", register.register_confirm, name="register_confirm"),
        path("password/reset/", register.password_reset, name="password_reset"),
    ]
if serves_inner():
    from dinhdanh.people.views import officers, staff

    urlpatterns += [
        path("people/", officers.people_desk, name="desk"),
        path("people/<int:pk>/", officers.person, name="person"),
        path("people/<int:pk>/level2/", officers.person_level2, name="person_level2"),
        path("people/<int:pk>/phone/", officers.person_phone, name="person_phone"),
        path("people/<int:pk>/lock/", officers.person_lock, name="person_lock"),
        path("people/<int:pk>/unlock/", officers.person_unlock, name="person_unlock"),
        path("people/reviews/", officers.reviews, name="reviews"),
        path("people/data-requests/", data_requests.queue, name="data_request_queue"),
        path("people/data-requests/<int:pk>/", data_requests.decide, name="data_request_decide"),
        path("people/staff/", staff.staff, name="staff"),
        path("people/staff/<int:pk>/remove/", staff.staff_remove, name="staff_remove"),
        path("people/reviews/<int:pk>/", officers.review_decide, name="review_decide"),
        path("people/reviews/<int:pk>/portrait/", officers.review_portrait, name="review_portrait"),
    ]
