"""Settings are data: every key of every section (the library's and the faces') documented in
config.toml, unknown keys refused, and a face's section validated by the face's own model."""

import tomllib
from pathlib import Path

import pytest
from pydantic import Field

import web  # noqa: F401  registers [server] and, through the bot it hosts, [telegram]
from retrieval import ConfigError, load_settings
import retrieval.settings as settings_module
from retrieval.settings import Settings, SettingsSection, face_sections

REPO = Path(__file__).resolve().parent.parent


def _sections() -> dict[str, type[SettingsSection]]:
    library = {name: field.annotation for name, field in Settings.model_fields.items() if name != "base_dir"}
    return {**library, **face_sections()}


def test_the_faces_register_their_sections():
    assert {name: model.__module__ for name, model in face_sections().items()} == {"server": "web.settings", "telegram": "bot.settings"}
    assert not {"server", "telegram"} & set(Settings.model_fields)  # the library does not know them


def test_every_setting_is_in_config_toml_with_a_comment():
    text = (REPO / "config.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    lines = text.splitlines()
    assert set(data) == set(_sections())
    for section, model in _sections().items():
        for name in model.model_fields:
            assert name in data[section], f"{section}.{name} missing from config.toml"
            at = next(i for i, line in enumerate(lines) if line.startswith(f"{name} ="))
            assert lines[at - 1].startswith("#"), f"{section}.{name} has no comment above it"


def test_config_toml_matches_the_defaults():
    assert load_settings(REPO / "config.toml").model_dump(exclude={"base_dir"}) == Settings().model_dump(exclude={"base_dir"})


@pytest.mark.parametrize(
    "content, message",
    [
        ("[search]\nmod = 'bm25'\n", "không hợp lệ"),
        ("[search]\nmode = 'magic'\n", "không hợp lệ"),
        ("[search\n", "TOML"),
        ("[telegram]\nmode = 'webhook'\n", "webhook_url"),
        ("[server]\nport = -1\n", "server"),
        ("mode = 'bm25'\n", "section"),
    ],
)
def test_bad_config_is_refused(tmp_path, content, message):
    path = tmp_path / "config.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_settings(path)


def test_relative_paths_resolve_against_the_config_file(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("[corpus]\ndir = 'docs'\n", encoding="utf-8")
    assert load_settings(path).corpus_dir == tmp_path / "docs"


class _FaceSettings(SettingsSection):
    greeting: str = Field("xin chào", description="What a test face says.")


def test_a_face_registered_after_the_file_was_read_still_gets_its_model(tmp_path, monkeypatch):
    path = tmp_path / "config.toml"
    path.write_text("[test_face]\ngreeting = 'chào bạn'\n", encoding="utf-8")
    settings = load_settings(path)
    assert settings.unclaimed_sections() == ["test_face"]
    monkeypatch.setitem(settings_module._FACE_SECTIONS, "test_face", _FaceSettings)
    assert settings.section(_FaceSettings) == _FaceSettings(greeting="chào bạn")
    assert settings.unclaimed_sections() == []
    assert Settings().section(_FaceSettings) == _FaceSettings()  # no table: the face's defaults


def test_the_state_servers_come_from_the_file_or_the_environment(tmp_path):
    """Embedded by default; [state] names the servers; $TRO_LY_REDIS_URL / $TRO_LY_DATABASE_URL
    (where a password may go) win over the file, and no URL shows in the settings' repr."""
    path = tmp_path / "config.toml"
    path.write_text("[state]\nredis_url = 'redis://cache:6379/0'\n", encoding="utf-8")
    assert (load_settings(REPO / "config.toml", environ={}).redis_url, load_settings(REPO / "config.toml", environ={}).database_url) == (None, None)
    settings = load_settings(path, environ={})
    assert (settings.redis_url, settings.database_url) == ("redis://cache:6379/0", None)
    secret = "postgresql://tro_ly:mat-khau@db:5432/tro_ly"
    settings = load_settings(path, environ={"TRO_LY_DATABASE_URL": secret, "TRO_LY_REDIS_URL": "redis://:mat-khau@cache2:6379/1"})
    assert (settings.redis_url, settings.database_url) == ("redis://:mat-khau@cache2:6379/1", secret)
    assert "mat-khau" not in repr(settings) and "mat-khau" not in str(settings.state)
    path.write_text("[state]\ndatabase_url = 'mysql://x'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="PostgreSQL"):
        load_settings(path, environ={})
