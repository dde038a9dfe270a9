"""Atomic writes: the original survives a crash at any step, and no temp file is left."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tpmcli.errors import TpmError
from tpmcli.files import atomic_write as atomicio
from tpmcli.files.atomic_write import (
    FileChangedError,
    FileExistsTpmError,
    create_file,
    replace_file,
)

ORIGINAL = b"title: x\r\nrice:\r\n  reach: 1\r\n"


def _entries(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def test_replace_writes_the_new_bytes_and_keeps_the_mode(tmp_path: Path) -> None:
    path = tmp_path / "item.yaml"
    path.write_bytes(ORIGINAL)
    path.chmod(0o640)
    replace_file(path, b"title: y\n", expected=ORIGINAL)
    assert path.read_bytes() == b"title: y\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert _entries(tmp_path) == ["item.yaml"]


@pytest.mark.parametrize("step", ["replace", "fsync", "write"])
def test_a_crash_in_the_middle_leaves_the_original_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    path = tmp_path / "item.yaml"
    path.write_bytes(ORIGINAL)

    def crash(*args: object, **kwargs: object) -> None:
        raise OSError(5, "Input/output error")

    if step == "write":
        real_fdopen = os.fdopen

        class Broken:
            def __init__(self, *args: object, **kwargs: object) -> None:
                self.handle = real_fdopen(*args, **kwargs)  # type: ignore[call-overload]

            def __enter__(self) -> Broken:
                return self

            def __exit__(self, *exc: object) -> None:
                self.handle.close()

            def write(self, data: bytes) -> int:
                self.handle.write(data[: len(data) // 2])
                raise OSError(28, "No space left on device")

        monkeypatch.setattr(atomicio.os, "fdopen", Broken)
    else:
        monkeypatch.setattr(atomicio.os, step, crash)
    with pytest.raises(TpmError, match=r"cannot write .*item\.yaml"):
        replace_file(path, b"title: y\n" * 1000, expected=ORIGINAL)
    assert path.read_bytes() == ORIGINAL
    assert _entries(tmp_path) == ["item.yaml"]


def test_an_interrupt_during_replace_also_cleans_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "item.yaml"
    path.write_bytes(ORIGINAL)

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(atomicio.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        replace_file(path, b"title: y\n", expected=ORIGINAL)
    assert path.read_bytes() == ORIGINAL
    assert _entries(tmp_path) == ["item.yaml"]


def test_a_file_changed_since_it_was_read_is_not_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "item.yaml"
    path.write_bytes(b"title: changed by someone else\n")
    with pytest.raises(FileChangedError) as caught:
        replace_file(path, b"title: y\n", expected=ORIGINAL)
    assert caught.value.exit_code == 2  # the environment changed: not a finding
    assert caught.value.message == (
        "item.yaml changed on disk after tpm read it, so nothing was written; run the command again"
    )
    assert path.read_bytes() == b"title: changed by someone else\n"
    assert _entries(tmp_path) == ["item.yaml"]


def test_a_symlinked_item_is_rewritten_through_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real.yaml"
    real.write_bytes(ORIGINAL)
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    replace_file(link, b"title: y\n", expected=ORIGINAL)
    assert link.is_symlink()
    assert real.read_bytes() == b"title: y\n"


def test_create_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "new.yaml"
    create_file(path, b"title: a\n")
    assert path.read_bytes() == b"title: a\n"
    with pytest.raises(FileExistsTpmError, match="already exists"):
        create_file(path, b"title: b\n")
    assert path.read_bytes() == b"title: a\n"
    assert _entries(tmp_path) == ["new.yaml"]


def test_create_without_hard_links_falls_back_to_an_exclusive_create(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(*args: object) -> None:
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(atomicio.os, "link", no_links)
    path = tmp_path / "new.yaml"
    create_file(path, b"title: a\n")
    assert path.read_bytes() == b"title: a\n"
    with pytest.raises(FileExistsTpmError):
        create_file(path, b"title: b\n")
    assert _entries(tmp_path) == ["new.yaml"]


def test_create_that_crashes_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(*args: object) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(atomicio.os, "fsync", crash)
    with pytest.raises(TpmError, match="cannot write"):
        create_file(tmp_path / "new.yaml", b"title: a\n")
    assert _entries(tmp_path) == []
