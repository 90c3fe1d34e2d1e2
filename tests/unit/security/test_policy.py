"""The security policy's identity: found once per request attempt."""

from pyramid.testing import DummyRequest

from backrest.security.identity import set_identity
from backrest.security.policy import SecurityPolicy


class CountingPolicy(SecurityPolicy):
    """Finds a new identity (a plain object) each time it looks."""

    def __init__(self):
        self.loaded = 0

    def _load_identity(self, request):
        self.loaded += 1
        return object()


def test_identity_is_found_once_per_request():
    policy, request = CountingPolicy(), DummyRequest()
    assert policy.identity(request) is policy.identity(request)
    assert policy.loaded == 1


def test_identity_is_found_again_when_pyramid_retry_runs_the_request_again():
    # pyramid_retry keeps the environ; what the aborted attempt loaded is detached.
    policy, request = CountingPolicy(), DummyRequest(environ={"retry.attempt": 0})
    first = policy.identity(request)
    request.environ["retry.attempt"] = 1
    assert policy.identity(request) is not first
    assert policy.loaded == 2


def test_identity_set_after_login_is_the_one_answered():
    policy, request = CountingPolicy(), DummyRequest()
    policy.identity(request)
    set_identity(request, None)
    assert policy.identity(request) is None
    assert policy.loaded == 1
