"""The master password's sources in one process: each read once, the environment's copy dropped."""

import os

import pytest
from pydantic import SecretStr

from exchange_tui.store import MASTER_PASSWORD_ENV, MasterPassword, SecretStoreUnavailable

from .support import frames_holding


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


SECRET_BYTES = "Geheimnis-Caf\xe9".encode("latin-1")  # not UTF-8: refused after it was read


def refused_from(kind: str, tmp_path) -> SecretStoreUnavailable:
    if kind == "descriptor":
        read_end, write_end = os.pipe()
        os.write(write_end, SECRET_BYTES)
        os.close(write_end)
        source = MasterPassword(fd=read_end)
    elif kind == "file":
        path = tmp_path / "master"
        path.write_bytes(SECRET_BYTES)
        path.chmod(0o600)
        source = MasterPassword(environ={"EXCHANGE_TUI_MASTER_PASSWORD_FILE": str(path)})
    else:
        source = MasterPassword(environ={MASTER_PASSWORD_ENV: os.fsdecode(SECRET_BYTES)})
    with pytest.raises(SecretStoreUnavailable) as caught:
        source.given()
    return caught.value


@pytest.mark.parametrize("kind", ["descriptor", "file", "environment"])
def test_no_frame_of_a_refusal_holds_the_password(kind, tmp_path):
    refused = refused_from(kind, tmp_path)
    assert "not valid text" in str(refused)
    assert frames_holding(refused, SECRET_BYTES) == []
