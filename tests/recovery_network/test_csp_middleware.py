"""The CSP header built once per process is the one django-csp would build, and per-view policies still apply."""

import pytest
from csp.constants import HEADER, HEADER_REPORT_ONLY, NONCE, SELF
from csp.decorators import csp_exempt, csp_update
from csp.exceptions import CSPNonceError
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from recovery_network.middleware import ContentSecurityPolicyMiddleware


def page(request):
    return HttpResponse("ok")


def directives(header):
    return sorted(part.strip() for part in header.split(";"))


def both(view, path="/"):
    """The response of our middleware and of django-csp's for the same view."""
    ours, theirs = ContentSecurityPolicyMiddleware(view), CSPMiddleware(view)
    return ours(RequestFactory().get(path)), theirs(RequestFactory().get(path))


def test_a_plain_response_gets_the_header_django_csp_builds():
    ours, theirs = both(page)
    assert directives(ours[HEADER]) == directives(theirs[HEADER])
    assert "script-src 'self'" in ours[HEADER]
    assert HEADER_REPORT_ONLY not in ours


def test_the_header_is_built_once_per_policy_then_reused():
    middleware = ContentSecurityPolicyMiddleware(page)
    first = middleware(RequestFactory().get("/"))[HEADER]
    assert middleware(RequestFactory().get("/"))[HEADER] is first


def test_a_changed_policy_is_picked_up():
    middleware = ContentSecurityPolicyMiddleware(page)
    middleware(RequestFactory().get("/"))
    policy = {"DIRECTIVES": {"default-src": [SELF], "img-src": [SELF, "https://maps.example.org"]}}
    with override_settings(CONTENT_SECURITY_POLICY=policy, CONTENT_SECURITY_POLICY_REPORT_ONLY=policy):
        response = middleware(RequestFactory().get("/"))
    assert "https://maps.example.org" in response[HEADER]
    assert "https://maps.example.org" in response[HEADER_REPORT_ONLY]


def test_a_view_with_its_own_policy_still_gets_it():
    ours, theirs = both(csp_update({"img-src": "https://maps.example.org"})(page))
    assert "https://maps.example.org" in ours[HEADER]
    assert directives(ours[HEADER]) == directives(theirs[HEADER])


def test_an_exempt_view_gets_no_header():
    ours, _ = both(csp_exempt()(page))
    assert HEADER not in ours


def test_a_nonce_used_by_the_page_is_in_the_header():
    def with_nonce(request):
        return HttpResponse(str(request.csp_nonce))

    policy = {"DIRECTIVES": {"default-src": [SELF], "script-src": [SELF, NONCE]}}
    with override_settings(CONTENT_SECURITY_POLICY=policy):
        response = ContentSecurityPolicyMiddleware(with_nonce)(RequestFactory().get("/"))
    assert f"'nonce-{response.content.decode()}'" in response[HEADER]


def test_a_nonce_asked_for_after_the_header_is_written_is_an_error():
    request = RequestFactory().get("/")
    ContentSecurityPolicyMiddleware(page)(request)
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)


def test_excluded_paths_get_no_header():
    policy = {"EXCLUDE_URL_PREFIXES": ["/healthz"], "DIRECTIVES": {"default-src": [SELF]}}
    with override_settings(CONTENT_SECURITY_POLICY=policy):
        ours, theirs = both(page, "/healthz")
    assert HEADER not in ours
    assert HEADER not in theirs
