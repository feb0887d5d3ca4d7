"""COLLOQUY_READ_DATABASE_URL and COLLOQUY_MAX_REPLICA_LAG, checked at start-up."""

import pytest

from app.settings import ConfigurationError, Settings


def test_read_replicas_are_listed_with_commas() -> None:
    settings = Settings.from_env(
        {
            "COLLOQUY_READ_DATABASE_URL": "postgresql://u:p@replica1/db, postgres://u:p@replica2/db",
            "COLLOQUY_MAX_REPLICA_LAG": "0.5",
        }
    )
    assert settings.read_database_url == (
        "postgresql://u:p@replica1/db",
        "postgres://u:p@replica2/db",
    )
    assert settings.max_replica_lag == 0.5
    assert (Settings.from_env({}).read_database_url, Settings.from_env({}).max_replica_lag) == (
        (),
        2.0,
    )


def test_a_read_replica_that_is_not_a_postgresql_url_stops_the_service() -> None:
    with pytest.raises(ConfigurationError, match="COLLOQUY_READ_DATABASE_URL") as error:
        Settings.from_env({"COLLOQUY_READ_DATABASE_URL": "postgresql://a/b,mysql://u:secret@c/d"})
    assert "secret" not in str(error.value)


def test_a_negative_replica_lag_stops_the_service() -> None:
    with pytest.raises(ConfigurationError, match="COLLOQUY_MAX_REPLICA_LAG"):
        Settings.from_env({"COLLOQUY_MAX_REPLICA_LAG": "-1"})
