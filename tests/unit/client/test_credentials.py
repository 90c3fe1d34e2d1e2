import pytest

from backrest.client import API, CredentialsError
from backrest.client.credentials import (
    api_key,
    bearer_token,
    profile_credential,
    read_profiles,
    split_key,
)

SECRET = "s3cr3t-Value_that-must-not-show"


@pytest.fixture
def credentials(tmp_path):
    path = tmp_path / "credentials"
    path.write_text(
        f"[default]\naccess_key_id = alpha\naccess_key_secret = {SECRET}\n\n"
        "[ci]\naccess_key_id = beta\naccess_key_secret = with%percent=and:colon\n"
    )
    return path


def test_profiles_are_read_by_name(credentials):
    profiles = read_profiles([credentials])
    assert sorted(profiles) == ["ci", "default"]
    assert profiles["default"].authorization == f"Token alpha:{SECRET}"
    # No interpolation: a secret is taken as it is written.
    assert profiles["ci"].authorization == "Token beta:with%percent=and:colon"


def test_missing_files_are_skipped_and_a_later_file_wins(credentials, tmp_path):
    later = tmp_path / "later"
    later.write_text("[ci]\naccess_key_id = gamma\naccess_key_secret = other\n")
    profiles = read_profiles([tmp_path / "absent", credentials, later])
    assert profiles["ci"].authorization == "Token gamma:other"
    assert profiles["default"].authorization == f"Token alpha:{SECRET}"


def test_the_default_profile_is_used_when_none_is_named(credentials, tmp_path):
    assert profile_credential([credentials], None).label == "key alpha"
    assert profile_credential([credentials], "ci").label == "key beta"
    assert profile_credential([tmp_path / "absent"], None) is None


def test_a_missing_profile_names_the_ones_there_are(credentials):
    with pytest.raises(CredentialsError, match=r"no profile \[prod\] in .* \(profiles: ci, default\)"):
        profile_credential([credentials], "prod")


def test_an_incomplete_profile_is_an_error(tmp_path):
    path = tmp_path / "credentials"
    path.write_text("[default]\naccess_key_id = alpha\n")
    with pytest.raises(CredentialsError, match=r"profile \[default\] has no access_key_secret"):
        read_profiles([path])


def test_a_broken_file_is_named_without_its_lines(tmp_path):
    path = tmp_path / "credentials"
    path.write_text(f"access_key_secret = {SECRET}\n")
    with pytest.raises(CredentialsError) as raised:
        read_profiles([path])
    assert str(path) in str(raised.value)
    assert SECRET not in str(raised.value)


def test_no_secret_shows_in_a_repr(credentials):
    credential = read_profiles([credentials])["default"]
    assert SECRET not in repr(credential)
    assert repr(credential) == "<Credential key alpha>"
    api = API("http://127.0.0.1:9", [credentials])
    assert SECRET not in repr(api)
    assert repr(api) == "<API http://127.0.0.1:9/-/ as key alpha>"
    assert repr(api(token="an-access-token")) == "<API http://127.0.0.1:9/-/ as token>"
    assert "an-access-token" not in repr(api(token="an-access-token").transport.options)


def test_keys_and_tokens_make_their_header():
    assert api_key("alpha", "secret").authorization == "Token alpha:secret"
    assert bearer_token("abc.def").authorization == "Bearer abc.def"
    assert split_key(" alpha:se:cret\n") == ("alpha", "se:cret")
    with pytest.raises(CredentialsError):
        split_key("alpha")
    with pytest.raises(CredentialsError):
        api_key("al:pha", "secret")
    with pytest.raises(CredentialsError):
        bearer_token("two words")


def test_one_credential_at_a_time(credentials):
    with pytest.raises(CredentialsError, match="give one credential, not a key and a token"):
        API("http://127.0.0.1:9", [credentials], key_id="alpha", key_secret="x", token="t")
    api = API("http://127.0.0.1:9", [credentials], profile="ci")
    assert api(key_id="gamma", key_secret="x").transport.options.credential.label == "key gamma"
    assert api(profile="default").transport.options.credential.label == "key alpha"
    # A copy without a credential named keeps the one it was made from.
    assert api(headers={"X-Trace": "1"}).transport.options.credential.label == "key beta"


def test_credentials_never_go_in_the_url():
    with pytest.raises(CredentialsError, match="do not go in a URL"):
        API(f"https://alpha:{SECRET}@api.example.com", [])


@pytest.mark.parametrize(
    ("given", "root"),
    [
        ("https://api.example.com", "https://api.example.com/-/"),
        ("https://api.example.com/-/", "https://api.example.com/-/"),
        ("https://example.com/mounted/", "https://example.com/mounted/-/"),
        ("http://127.0.0.1:6543/-?x=1", "http://127.0.0.1:6543/-/"),
    ],
)
def test_the_api_root_is_found_from_the_service_url(given, root):
    assert API(given, []).root_url == root


def test_a_url_that_is_not_http_is_refused():
    with pytest.raises(ValueError, match="not an http"):
        API("ftp://api.example.com", [])


def test_credentials_go_to_the_api_origin_only(credentials):
    api = API("https://api.example.com", [credentials])
    with pytest.raises(ValueError, match="not on the API's origin"):
        api.transport.request("GET", "https://elsewhere.example.com/-/documents/")
    with pytest.raises(ValueError, match="not on the API's origin"):
        api.transport.request("GET", "http://api.example.com/-/documents/")
