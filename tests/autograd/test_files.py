"""autograd.files.write_atomic, the one writer behind drawings, step pages and model files."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, render
from autograd.cli import main
from autograd.files import write_atomic
from nn import MLP


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("character", ["a", "é", "𝑥"])
def test_a_name_as_long_as_the_filesystem_allows(tmp_path: Path, character: str) -> None:
    # 255 bytes is the longest name ext4, tmpfs, APFS and NTFS take; the temporary name is
    # shorter than the target's, whatever its length in bytes.
    name = character * (251 // len(character.encode())) + ".svg"
    assert len(name.encode()) <= 255
    target = tmp_path / name
    assert write_atomic(target, b"<svg/>") == target
    assert target.read_bytes() == b"<svg/>"
    assert os.listdir(tmp_path) == [name]


@given(data=st.binary(max_size=2000))
def test_writes_exactly_the_bytes_given(data: bytes) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "f.bin"
        target.write_bytes(b"old contents, longer than some of the new ones")
        write_atomic(target, data)
        assert target.read_bytes() == data
        assert os.listdir(folder) == ["f.bin"]


@pytest.mark.parametrize("permissions", [0o600, 0o640, 0o644, 0o755])
def test_replacing_a_file_keeps_its_permissions(tmp_path: Path, permissions: int) -> None:
    target = tmp_path / "model.json"
    target.write_bytes(b"old")
    target.chmod(permissions)
    MLP(2, [1], seed=0).save(target)
    assert mode(target) == permissions


def test_a_new_file_gets_the_permissions_the_umask_allows(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        write_atomic(tmp_path / "new.svg", b"x")
    finally:
        os.umask(old)
    assert mode(tmp_path / "new.svg") == 0o640


def test_a_symbolic_link_is_followed_and_kept(tmp_path: Path) -> None:
    real = tmp_path / "real" / "model.json"
    real.parent.mkdir()
    real.write_bytes(b"old")
    real.chmod(0o600)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    MLP(2, [1], seed=0).save(link)
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert MLP.load(real).state_dict() == MLP(2, [1], seed=0).state_dict()
    assert mode(real) == 0o600
    assert sorted(os.listdir(tmp_path)) == ["link.json", "real"]
    assert os.listdir(real.parent) == ["model.json"]


def test_a_chain_of_links_and_a_dangling_link(tmp_path: Path) -> None:
    real = tmp_path / "real.svg"
    middle = tmp_path / "middle.svg"
    middle.symlink_to(real)  # dangling until the write creates real.svg
    link = tmp_path / "link.svg"
    link.symlink_to(middle)
    write_atomic(link, b"drawn")
    assert real.read_bytes() == b"drawn"
    assert link.is_symlink() and middle.is_symlink()


def test_a_directory_in_the_way_is_named(tmp_path: Path) -> None:
    target = tmp_path / "graph.svg"
    target.mkdir()
    with pytest.raises(IsADirectoryError) as caught:
        write_atomic(target, b"x")
    assert caught.value.filename == str(target)
    assert ".tmp" not in str(caught.value)
    assert os.listdir(tmp_path) == ["graph.svg"]


def test_a_missing_folder_is_named_and_not_created(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "g.svg"
    with pytest.raises(FileNotFoundError, match=r"directory .*such.* does not exist"):
        write_atomic(target, b"x")
    assert os.listdir(tmp_path) == []


def test_a_file_where_the_folder_should_be_is_named(tmp_path: Path) -> None:
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(NotADirectoryError, match=r"directory .*file.* is not a directory"):
        write_atomic(tmp_path / "file" / "g.svg", b"x")


def test_render_creates_no_folders(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        render(Value(1.0) * 2, tmp_path / "missing" / "g.dot")
    assert os.listdir(tmp_path) == []


def test_the_graph_command_creates_no_folders(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["graph", "x*x", "x=3", "-o", str(tmp_path / "missing" / "dir" / "g.dot")])
    err = capsys.readouterr().err
    assert status == 1
    assert "missing" in err and "does not exist" in err and "Traceback" not in err
    assert os.listdir(tmp_path) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_root_saving_over_a_users_file_leaves_it_the_users(tmp_path: Path) -> None:
    target = tmp_path / "g.svg"
    target.write_bytes(b"old")
    os.chown(target, 12345, 23456)
    write_atomic(target, b"new")
    assert (target.stat().st_uid, target.stat().st_gid) == (12345, 23456)
