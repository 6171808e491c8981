"""Settings are data: every key documented in config.toml, unknown keys refused."""

import tomllib
from pathlib import Path

import pytest

from retrieval import ConfigError, load_settings
from retrieval.settings import Settings

REPO = Path(__file__).resolve().parent.parent


def _keys(model: type, prefix: str = "") -> list[str]:
    keys = []
    for name, field in model.model_fields.items():
        if name == "base_dir":
            continue
        annotation = field.annotation
        if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
            keys += _keys(annotation, f"{name}.")
        else:
            keys.append(prefix + name)
    return keys


def test_every_setting_is_in_config_toml_with_a_comment():
    text = (REPO / "config.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    lines = text.splitlines()
    for key in _keys(Settings):
        section, name = key.split(".")
        assert name in data.get(section, {}), f"{key} missing from config.toml"
        at = next(i for i, line in enumerate(lines) if line.startswith(f"{name} =") )
        assert lines[at - 1].startswith("#"), f"{key} has no comment above it"


def test_config_toml_matches_the_defaults():
    assert load_settings(REPO / "config.toml").model_dump(exclude={"base_dir"}) == Settings().model_dump(exclude={"base_dir"})


@pytest.mark.parametrize(
    "content, message",
    [
        ("[search]\nmod = 'bm25'\n", "không hợp lệ"),
        ("[search]\nmode = 'magic'\n", "không hợp lệ"),
        ("[search\n", "TOML"),
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
