"""The master password's sources in one process: each read once, the environment's copy dropped."""

import os

import pytest
from pydantic import SecretStr

from exchange_tui.store import MASTER_PASSWORD_ENV, MasterPassword, SecretStoreUnavailable


def test_the_environment_variable_is_read_once_and_dropped():
    environ = {MASTER_PASSWORD_ENV: "from-the-environment"}
    source = MasterPassword(environ=environ)
    assert source.given() == SecretStr("from-the-environment")
    assert MASTER_PASSWORD_ENV not in environ, "a child process or a crash report would see it"
    assert source.given() == SecretStr("from-the-environment"), "asking again reads nothing more"


def still_open(fd: int, pipe: int) -> bool:
    """Whether ``fd`` is still that pipe (the number may have been given to another file since)."""
    try:
        return os.fstat(fd).st_ino == pipe
    except OSError:
        return False


def test_the_descriptor_is_read_to_its_end_and_closed():
    read_end, write_end = os.pipe()
    pipe = os.fstat(read_end).st_ino
    os.write(write_end, b"from-a-descriptor\n")
    os.close(write_end)
    source = MasterPassword(fd=read_end, environ={MASTER_PASSWORD_ENV: "not-this-one"})
    assert source.given() == SecretStr("from-a-descriptor")
    assert not still_open(read_end, pipe)
    assert source.given() == SecretStr("from-a-descriptor")


def test_an_error_holds_nothing_of_the_password():
    read_end, write_end = os.pipe()
    os.write(write_end, "Caf\xe9".encode("latin-1"))
    os.close(write_end)
    with pytest.raises(SecretStoreUnavailable) as caught:
        MasterPassword(fd=read_end).given()
    assert caught.value.__context__ is None and caught.value.__cause__ is None
    assert "Caf" not in str(caught.value)
