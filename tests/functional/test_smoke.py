from tests.conftest import PASSWORD


def test_signup_login_profile(browser, signup):
    signup()
    browser.login("ADA@example.com", PASSWORD)
    profile = browser.get("/-/userprofile").json
    assert profile["email"] == "ada@example.com"
    assert profile["email_verified"] is True
