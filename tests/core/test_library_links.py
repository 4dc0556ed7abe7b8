"""Links in the library: those that stay inside are followed, those that lead out are skipped
(unless the config says to follow them), and no loop hangs the scan."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from readertui.config import Config, load_config
from readertui.core.library import Library, SkippedFile, scan_library
from readertui.errors import ConfigError

OUTSIDE_FILE = "a link to a file outside the library"
OUTSIDE_FOLDER = "a link to a folder outside the library"


def put(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def rel_paths(library: Library) -> list[str]:
    return [entry.rel_path for entry in library.entries]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """`lib/` (the library, with `own.txt` and `sub/deep.txt`) beside `outside/`."""
    put(tmp_path / "lib" / "own.txt", "Own\n")
    put(tmp_path / "lib" / "sub" / "deep.txt", "Deep\n")
    put(tmp_path / "outside" / "secret.txt", "Secret\n")
    put(tmp_path / "outside" / "more" / "private.md", "# Private\n")
    return tmp_path


def scan_in_time(root: Path, **options: bool) -> Library:
    """Scan in a thread, failing the test instead of hanging it if the scan never ends."""
    found: list[Library] = []
    worker = threading.Thread(target=lambda: found.append(scan_library(root, **options)))
    worker.daemon = True
    worker.start()
    worker.join(timeout=20)
    assert found, "the scan did not end"
    return found[0]


def test_a_link_to_a_file_outside_is_skipped_with_the_reason(tree: Path) -> None:
    lib = tree / "lib"
    (lib / "secret.txt").symlink_to(tree / "outside" / "secret.txt")
    (lib / "sub" / "relative.txt").symlink_to("../../outside/secret.txt")
    library = scan_library(lib)
    assert rel_paths(library) == ["sub/deep.txt", "own.txt"]  # sorted by title
    assert library.skipped == (
        SkippedFile("secret.txt", OUTSIDE_FILE),
        SkippedFile("sub/relative.txt", OUTSIDE_FILE),
    )


@pytest.mark.skipif(not Path("/etc/passwd").is_file(), reason="no /etc/passwd here")
def test_a_link_to_etc_passwd_is_not_listed(tree: Path) -> None:
    lib = tree / "lib"
    (lib / "passwd.txt").symlink_to("/etc/passwd")
    library = scan_library(lib)
    assert "passwd.txt" not in rel_paths(library)
    assert SkippedFile("passwd.txt", OUTSIDE_FILE) in library.skipped


def test_a_link_that_stays_inside_is_followed(tree: Path) -> None:
    lib = tree / "lib"
    (lib / "alias.txt").symlink_to(lib / "sub" / "deep.txt")
    (lib / "sub" / "up.txt").symlink_to("../own.txt")
    (lib / "shortcut").symlink_to("sub")
    library = scan_library(lib)
    assert sorted(rel_paths(library)) == ["alias.txt", "own.txt", "sub/deep.txt", "sub/up.txt"]
    assert library.skipped == ()


def test_a_chain_of_links_that_ends_outside_is_skipped(tree: Path) -> None:
    lib = tree / "lib"
    (tree / "outside" / "hop.txt").symlink_to(lib / "own.txt")  # out, then back in: inside
    (lib / "back.txt").symlink_to(tree / "outside" / "hop.txt")
    (lib / "first.txt").symlink_to(lib / "second.txt")
    (lib / "second.txt").symlink_to(tree / "outside" / "secret.txt")
    library = scan_library(lib)
    assert "back.txt" in rel_paths(library)
    assert SkippedFile("first.txt", OUTSIDE_FILE) in library.skipped
    assert SkippedFile("second.txt", OUTSIDE_FILE) in library.skipped


def test_a_link_to_a_folder_outside_is_skipped_with_the_reason(tree: Path) -> None:
    lib = tree / "lib"
    (lib / "elsewhere").symlink_to(tree / "outside")
    (lib / "parent").symlink_to("..")
    library = scan_in_time(lib)
    assert sorted(rel_paths(library)) == ["own.txt", "sub/deep.txt"]
    assert library.skipped == (
        SkippedFile("elsewhere/", OUTSIDE_FOLDER),
        SkippedFile("parent/", OUTSIDE_FOLDER),
    )


def test_the_config_can_allow_links_outside(tree: Path) -> None:
    lib = tree / "lib"
    (lib / "secret.txt").symlink_to(tree / "outside" / "secret.txt")
    (lib / "elsewhere").symlink_to(tree / "outside")
    library = scan_library(lib, follow_outside_links=True)
    assert sorted(rel_paths(library)) == [
        "elsewhere/more/private.md",
        "elsewhere/secret.txt",
        "own.txt",
        "secret.txt",
        "sub/deep.txt",
    ]
    assert library.skipped == ()


def test_the_setting_is_read_from_the_config_file_and_off_by_default(tmp_path: Path) -> None:
    assert Config().follow_outside_links is False
    config_file = tmp_path / "config.toml"
    config_file.write_text("follow_outside_links = true\n", encoding="utf-8")
    assert load_config(config_file, {}).follow_outside_links is True
    config_file.write_text('follow_outside_links = "yes"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="follow_outside_links must be true or false"):
        load_config(config_file, {})


@pytest.mark.parametrize("follow_outside_links", [False, True])
def test_link_loops_end(tree: Path, follow_outside_links: bool) -> None:
    lib = tree / "lib"
    (lib / "a.txt").symlink_to("b.txt")
    (lib / "b.txt").symlink_to("a.txt")
    (lib / "sub" / "round").symlink_to("..")
    (lib / "up").symlink_to(tree)  # the library's parent: outside, and it holds the library
    (tree / "outside" / "back").symlink_to(lib)
    library = scan_in_time(lib, follow_outside_links=follow_outside_links)
    listed = rel_paths(library)
    assert "own.txt" in listed and "sub/deep.txt" in listed
    assert len(listed) == len(set(listed))
    skipped = {item.rel_path for item in library.skipped}
    assert {"a.txt", "b.txt"} <= skipped


def test_a_library_opened_through_a_link_still_sees_its_own_links_as_inside(tree: Path) -> None:
    lib = tree / "lib"
    (lib / "alias.txt").symlink_to(lib / "own.txt")
    (tree / "door").symlink_to(lib)
    library = scan_library(tree / "door")
    assert sorted(rel_paths(library)) == ["alias.txt", "own.txt", "sub/deep.txt"]
