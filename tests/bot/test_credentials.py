"""bot/credentials.py: secrets come from the environment only."""

import pytest

from bot.credentials import TOKEN_ENV, WEBHOOK_PREFIX, WEBHOOK_SECRET_ENV, Credentials
from retrieval import ConfigError

TOKEN = "123:abc"


def test_no_token_no_bot():
    assert Credentials.from_env({}) is None
    assert Credentials.from_env({TOKEN_ENV: "  "}) is None


def test_derived_secret_and_path():
    creds = Credentials.from_env({TOKEN_ENV: TOKEN})
    assert creds.token == TOKEN
    assert len(creds.webhook_secret) == 64 and TOKEN not in creds.webhook_secret
    assert creds.webhook_path.startswith(WEBHOOK_PREFIX) and len(creds.webhook_path) == len(WEBHOOK_PREFIX) + 32
    assert creds.webhook_secret not in creds.webhook_path
    assert Credentials.from_env({TOKEN_ENV: "456:def"}).webhook_secret != creds.webhook_secret
    assert creds.webhook_url("https://bot.example/") == "https://bot.example" + creds.webhook_path
    assert TOKEN not in repr(creds) and creds.webhook_secret not in repr(creds)


def test_secret_from_the_environment():
    creds = Credentials.from_env({TOKEN_ENV: TOKEN, WEBHOOK_SECRET_ENV: "my_Secret-1"})
    assert creds.webhook_secret == "my_Secret-1"
    assert creds.secret_matches("my_Secret-1")
    assert not creds.secret_matches("my_Secret-2") and not creds.secret_matches(None) and not creds.secret_matches("")


@pytest.mark.parametrize("secret", ["có dấu", "a b", "x" * 257, "semi;colon"])
def test_a_secret_telegram_would_refuse_is_refused_at_startup(secret):
    with pytest.raises(ConfigError):
        Credentials.from_env({TOKEN_ENV: TOKEN, WEBHOOK_SECRET_ENV: secret})
