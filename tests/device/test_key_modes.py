"""Secret keys at rest are never readable by other local users (THREATS.md, "Keys and settings").

The device journal holds the device's Ed25519 secret key, so it and SQLite's -wal/-shm
side files must be 0600 whatever the umask; a journal made looser by an older version is
tightened when it is opened. HQ's own key files are checked too.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from entekhab.device.agent import DeviceAgent
from entekhab.device.journal import Journal


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@contextmanager
def umask(value: int) -> Iterator[None]:
    old = os.umask(value)
    try:
        yield
    finally:
        os.umask(old)


def journal_files(path: Path) -> list[Path]:
    return [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]


@pytest.mark.parametrize("mask", [0o022, 0o000, 0o002, 0o077])
def test_a_new_device_journal_and_its_side_files_are_0600(tmp_path, mask):
    """Old code: 0644 under the usual umask 022 (0666 under umask 0), secret key readable by any local user."""
    path = tmp_path / "device" / "auth.db"
    with umask(mask):
        agent = DeviceAgent.initialise(path, serial="KEY-1", role="auth")
        files = journal_files(path)
        assert path in files and Path(f"{path}-wal") in files
        for f in files:
            assert mode(f) == 0o600, (f.name, oct(mode(f)))
        assert agent.journal.get("secret_key")
        assert not mode(path.parent) & 0o077
        agent.journal.close()


def test_an_existing_loose_journal_is_tightened_when_opened(tmp_path):
    path = tmp_path / "old.db"
    Journal(path).close()
    for f in journal_files(path):
        f.chmod(0o644)
    with umask(0o022):
        journal = Journal(path)
        journal.put("secret_key", "00" * 64)
        for f in journal_files(path):
            assert mode(f) == 0o600, (f.name, oct(mode(f)))
        journal.close()


def test_hq_demo_secret_key_file_is_0600(tmp_path, monkeypatch):
    import entekhab.hq.settings as hq_settings

    monkeypatch.delenv("DJANGO_SECRET_KEY", raising=False)
    monkeypatch.setattr(hq_settings, "DATA_DIR", tmp_path)
    with umask(0o000):
        key = hq_settings._secret_key()
    assert key and mode(tmp_path / "secret_key") == 0o600
    (tmp_path / "secret_key").chmod(0o644)
    assert hq_settings._secret_key() == key
    assert mode(tmp_path / "secret_key") == 0o600


def test_hq_signing_key_file_is_0600(tmp_path):
    from entekhab.records import signing

    with umask(0o000):
        signing.load_hq_key(tmp_path, environ={})
    assert mode(tmp_path / signing.KEY_FILE) == 0o600
