"""The output folder is the owner's (issue 16): links, hidden entries, locks, whole sites.

Real builds (MkDocs, Graphviz) into real folders; other builds are real processes,
some in another PID namespace (`unshare`, as root), standing for a second CI
container or a second host sharing the site folder.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import textwrap
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from serving import PLAYBOOK, QUIET
from sitebuild import hashes, minimal_project, minimal_site, minimal_site_copy

from playbook import output, site
from playbook.project import Project

CASES = Path(__file__).parent / "fixtures" / "cases"
BUILD_TIMEOUT = 300  # seconds for one real build on a busy 2-core machine


def _run(command: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """A command of ours (playbook, mkdocs) run to its end, its output kept as text."""
    return subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, env=QUIET, timeout=BUILD_TIMEOUT
    )


def copy_minimal(tmp_path: Path, name: str = "project", title: str | None = None) -> Path:
    root = tmp_path / name
    shutil.copytree(minimal_project(), root)
    if title is not None:
        path = root / "content" / "playbook.yml"
        path.write_text(path.read_text().replace("title: Test Playbook", f"title: {title}"))
    return root


def cli_build(root: Path, *args: str, prefix: list[str] | None = None) -> subprocess.Popen[str]:
    command = [*(prefix or []), str(PLAYBOOK), "build", str(root), *args]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=QUIET
    )


def finish(build: subprocess.Popen[str]) -> tuple[int, str]:
    out, _ = build.communicate(timeout=BUILD_TIMEOUT)
    return build.returncode, out


def assert_complete(folder: Path) -> str:
    """A whole site: home, 404, Material's assets, search index, every nav page; its title."""
    for part in ("index.html", "404.html", "search/search_index.json"):
        assert (folder / part).is_file(), f"{part} missing from {sorted(os.listdir(folder))}"
    assert list(folder.glob("assets/stylesheets/main.*.css"))
    assert list(folder.glob("assets/javascripts/bundle.*.js"))
    home = (folder / "index.html").read_text(encoding="utf-8")
    nav = set(re.findall(r'<a href="([^"#:]+/)" class="md-nav__link', home))
    assert len(nav) >= 5, nav
    for address in nav:
        assert (folder / address / "index.html").is_file(), f"nav page {address} missing"
    name = first_title(home).rpartition(" - ")[2]
    for page in folder.rglob("index.html"):  # every page from the same build
        assert first_title(page.read_text(encoding="utf-8")).endswith(f" - {name}"), page
    return name


def first_title(html: str) -> str:
    found = re.search(r"<title>([^<]*)</title>", html)
    assert found is not None
    return found[1]


def leftovers(parent: Path) -> list[str]:
    """Scratch folders and lock files a build left beside its target."""
    return sorted(p.name for p in parent.iterdir() if ".building-" in p.name or p.suffix == ".lock")


def unshare_works() -> list[str]:
    """The command prefix for another PID namespace; fails the test loudly where there is none."""
    prefix = ["unshare", "--pid", "--fork", "--mount-proc"]
    try:
        probe = subprocess.run([*prefix, "sh", "-c", "echo $$"], capture_output=True, text=True)
    except FileNotFoundError:
        pytest.fail(
            "these tests need `unshare` (util-linux) and root: CI and this machine have both"
        )
    assert probe.returncode == 0 and probe.stdout.strip() == "1", (
        f"unshare --pid did not give a new PID namespace here: {probe.stderr}"
    )
    return prefix


# -- a site folder that is a symbolic link -------------------------------------------------


def test_site_symlink_replaced_the_link_is_kept_and_the_served_folder_updated(
    tmp_path: Path,
) -> None:
    """Case site-symlink-replaced: ./site -> the served folder, then a content edit and a build."""
    served = tmp_path / "www"
    minimal_site_copy(served)  # the previous site; first, so the copy below has a warm cache
    root = copy_minimal(tmp_path)
    (root / "site").symlink_to(served)
    nurse = root / "content" / "roles" / "nurse.yml"
    nurse.write_text(nurse.read_text().replace("name: Nurse", "name: Head nurse"))

    result = site.build(Project(root))  # the default: ./site in the project

    assert (root / "site").is_symlink()
    assert os.readlink(root / "site") == str(served)
    assert result.site_dir == served
    assert "Head nurse" in (served / "roles" / "nurse" / "index.html").read_text()
    assert_complete(served)
    assert leftovers(tmp_path) == [] and leftovers(root) == []
    assert sorted(os.listdir(tmp_path)) == ["project", "www"]


def test_site_symlink_replaced_through_the_cli_and_a_chain_of_links(tmp_path: Path) -> None:
    """Case site-symlink-replaced with --site-dir naming a link to a link to the served folder."""
    root = copy_minimal(tmp_path)
    served = tmp_path / "srv" / "www"
    served.parent.mkdir()
    (tmp_path / "hop").symlink_to(served)  # dangling until the first build
    (tmp_path / "published").symlink_to(tmp_path / "hop")
    for _ in range(2):
        code, out = finish(cli_build(root, "--site-dir", str(tmp_path / "published")))
        assert code == 0, out
        assert f"site written to {served}" in out
        assert "is a symbolic link (or inside one): writing into" in out
    assert (tmp_path / "published").is_symlink() and (tmp_path / "hop").is_symlink()
    assert served.is_dir() and not served.is_symlink()
    assert_complete(served)
    assert leftovers(served.parent) == []


def test_a_link_that_cannot_be_written_through_is_refused_with_a_message(tmp_path: Path) -> None:
    root = copy_minimal(tmp_path)
    nowhere = tmp_path / "site-link"
    nowhere.symlink_to(tmp_path / "no" / "such" / "folder")
    with pytest.raises(
        site.SiteError, match=r"is a symbolic link to .*folder, whose folder .* does not exist"
    ):
        site.build(Project(root), site_dir=nowhere)
    loop = tmp_path / "loop"
    loop.symlink_to(tmp_path / "loop")
    with pytest.raises(site.SiteError, match="cannot follow its symbolic links"):
        site.build(Project(root), site_dir=loop)
    # A link to a folder the tool did not write is refused as that folder would be.
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "keep.txt").write_text("mine")
    (tmp_path / "to-notes").symlink_to(notes)
    with pytest.raises(site.SiteError, match="not replacing a folder this tool did not write"):
        site.build(Project(root), site_dir=tmp_path / "to-notes")
    # A link into the project is refused as the project itself would be.
    (tmp_path / "to-content").symlink_to(root / "content")
    with pytest.raises(site.SiteError, match="refusing"):
        site.build(Project(root), site_dir=tmp_path / "to-content")
    assert (notes / "keep.txt").read_text() == "mine"
    assert (tmp_path / "to-notes").is_symlink() and loop.is_symlink() and nowhere.is_symlink()
    assert leftovers(tmp_path) == []


def test_a_mount_point_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    """A folder mounted as the site (a container's volume) cannot be renamed away: a message."""
    target = tmp_path / "site"
    target.mkdir()
    unshare_works()
    script = 'mount -t tmpfs playbook-test "$1" && shift && exec "$@"'
    build = cli_build(
        copy_minimal(tmp_path),
        "--site-dir",
        str(target),
        prefix=[
            "unshare",
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-c",
            script,
            "sh",
            str(target),
        ],
    )
    code, out = finish(build)
    assert code == 1, out
    assert f"{target}: is a mount point, and a site is put in place by renaming folders" in out
    assert leftovers(tmp_path) == []


def test_a_zip_and_a_docs_tree_are_written_through_their_links(tmp_path: Path) -> None:
    root = copy_minimal(tmp_path)
    (tmp_path / "shared").mkdir()
    handout = tmp_path / "shared" / "handout.zip"
    (tmp_path / "handout.zip").symlink_to(handout)
    (tmp_path / "tree").symlink_to(tmp_path / "shared" / "tree")
    for _ in range(2):
        site.build(Project(root), zip_path=tmp_path / "handout.zip")
        site.build(Project(root), docs_only=tmp_path / "tree")
    assert (tmp_path / "handout.zip").is_symlink() and zipfile.is_zipfile(handout)
    assert (tmp_path / "tree").is_symlink() and (
        tmp_path / "shared" / "tree" / "mkdocs.yml"
    ).is_file()
    assert sorted(os.listdir(tmp_path / "shared")) == ["handout.zip", "tree"]


def _another_file_system(near: Path) -> Path:
    """A writable folder on another file system than `near` (a tmpfs: Debian and CI have
    /dev/shm). A machine with none cannot show the cross-device case: that fails, as the
    test would otherwise pass without showing anything."""
    for candidate in (Path("/dev/shm"), Path(os.environ.get("XDG_RUNTIME_DIR", "/nonexistent"))):
        if (
            candidate.is_dir()
            and os.access(candidate, os.W_OK)
            and os.stat(candidate).st_dev != os.stat(near).st_dev
        ):
            return candidate
    pytest.fail("this test needs a writable folder on another file system (/dev/shm)")


def test_a_zip_on_another_file_system_than_the_site_is_written_too(tmp_path: Path) -> None:
    """--site-dir on one disk, --zip on another (a CI's workspace and its /tmp): the zip
    is staged beside itself, so putting it in place is a rename on its own file system."""
    root = copy_minimal(tmp_path)
    elsewhere = Path(tempfile.mkdtemp(dir=_another_file_system(tmp_path)))
    try:
        handout = elsewhere / "handout.zip"
        code, out = finish(
            cli_build(root, "--site-dir", str(tmp_path / "site"), "--zip", str(handout))
        )
        assert code == 0, out
        assert f"site written to {tmp_path / 'site'} and {handout}" in out
        assert zipfile.ZipFile(handout).getinfo("handout/index.html").file_size > 0
        assert (tmp_path / "site/stages/care.html").is_file()  # --zip: the offline pages
        assert leftovers(tmp_path) == [] and leftovers(elsewhere) == []
    finally:
        shutil.rmtree(elsewhere)


def test_a_zip_is_replaced_only_when_the_site_beside_it_is_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build of a site and its zip that fails at the site's swap changes neither."""
    target = tmp_path / "site"
    minimal_site_copy(target)  # the previous site; first, so the copy below has a warm cache
    root = copy_minimal(tmp_path)
    handout = tmp_path / "handout.zip"
    with zipfile.ZipFile(handout, "w") as old:
        old.writestr("handout/index.html", "the old handout")
    before = hashes(target), handout.read_bytes()
    monkeypatch.setattr(output, "PUBLISH_WAIT", 1.0)
    stuck = output._publishing(target)  # another build, stuck while putting its site in place
    with stuck, pytest.raises(site.SiteError, match="another build has been putting its output"):
        site.build(Project(root), site_dir=target, zip_path=handout)
    assert (hashes(target), handout.read_bytes()) == before
    assert leftovers(tmp_path) == []


# -- hidden entries and special files in the old site ---------------------------------------


def test_hidden_entries_stay_exactly_as_they_were(tmp_path: Path) -> None:
    out = tmp_path / "site"
    minimal_site_copy(out)  # the previous site; first, so the copy below has a warm cache
    root = copy_minimal(tmp_path)
    elsewhere = tmp_path / "certs"
    (elsewhere / "acme-challenge").mkdir(parents=True)
    (elsewhere / "acme-challenge" / "token").write_text("proof")
    (out / ".git" / "refs").mkdir(parents=True)
    (out / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n")
    (out / ".git" / "refs" / "self").symlink_to("../HEAD")
    (out / ".nojekyll").write_text("")
    (out / ".htaccess").write_text("Require valid-user\n")
    os.chmod(out / ".htaccess", 0o640)
    (out / "CNAME").write_text("playbook.example.org\n")
    (out / ".well-known").symlink_to(elsewhere)  # a hidden link to a folder: not a copy of it
    (out / ".motd").symlink_to(out / ".htaccess")
    (out / ".dangling").symlink_to(tmp_path / "gone")
    os.mkfifo(out / ".pipe")
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(out / ".sock"))
    listener.listen(1)
    before = {name: os.lstat(out / name) for name in (".htaccess", ".pipe", ".sock", "CNAME")}

    site.build(Project(root), site_dir=out)

    assert (out / ".git" / "HEAD").read_text() == "ref: refs/heads/gh-pages\n"
    assert os.readlink(out / ".git" / "refs" / "self") == "../HEAD"
    assert (out / ".nojekyll").is_file() and (out / "CNAME").read_text() == "playbook.example.org\n"
    assert os.readlink(out / ".well-known") == str(elsewhere)
    assert os.readlink(out / ".motd") == str(out / ".htaccess")
    assert os.readlink(out / ".dangling") == str(tmp_path / "gone")
    for name, was in before.items():  # the same files, not copies: a socket still listens
        now = os.lstat(out / name)
        assert (now.st_ino, now.st_mode) == (was.st_ino, was.st_mode), name
    assert stat.S_ISFIFO(os.lstat(out / ".pipe").st_mode)
    client = socket.socket(socket.AF_UNIX)
    client.connect(str(out / ".sock"))
    client.close()
    listener.close()
    assert sorted(os.listdir(elsewhere)) == ["acme-challenge"]  # the link's target untouched
    assert_complete(out)
    assert leftovers(tmp_path) == []


def test_special_files_in_the_old_site_never_block_a_build(tmp_path: Path) -> None:
    """FIFOs where a build reads (index.html, the zip) or anywhere else: a message or a build, never a hang."""
    out = tmp_path / "site"
    minimal_site_copy(out)  # the previous site; first, so the copy below has a warm cache
    root = copy_minimal(tmp_path)
    os.mkfifo(out / "assets" / "pipe")
    os.mkfifo(out / "roles" / "pipe.html")
    started = time.monotonic()
    code, text = finish(cli_build(root, "--site-dir", str(out)))
    assert code == 0, text
    assert not (out / "assets" / "pipe").exists()  # the old site's own files go with it
    # A FIFO named index.html (or as the marker) does not make a folder a built site;
    # it is not opened.
    for name in ("index.html", output.SITE_MARKER):
        (out / name).unlink()
        os.mkfifo(out / name)
    code, text = finish(cli_build(root, "--site-dir", str(out)))
    assert code == 1
    assert "is not a built site: not replacing a folder this tool did not write" in text
    os.mkfifo(tmp_path / "handout.zip")
    code, text = finish(cli_build(root, "--zip", str(tmp_path / "handout.zip")))
    assert code == 1 and "exists and is not a zip file" in text
    assert time.monotonic() - started < BUILD_TIMEOUT
    assert stat.S_ISFIFO(os.lstat(out / "index.html").st_mode)
    assert leftovers(tmp_path) == []


def test_special_files_where_mkdocs_reads_are_named_not_waited_on(tmp_path: Path) -> None:
    root = copy_minimal(tmp_path)
    (root / "docs" / "notes").mkdir(parents=True)
    (root / "docs" / "about.md").write_text("# About\n")
    os.mkfifo(root / "docs" / "notes" / "pipe.md")
    (root / "docs" / "zero.css").symlink_to("/dev/zero")
    os.mkfifo(root / "docs" / ".hidden-pipe")  # MkDocs leaves hidden files out: so do we
    (root / "mkdocs.yml").write_text("site_name: Owner site\n")
    code, out = finish(cli_build(root, "--site-dir", str(tmp_path / "site")))
    assert code == 1, out
    assert f"{root}/docs/notes/pipe.md: error: a FIFO (named pipe), not a file: remove it" in out
    assert f"{root}/docs/zero.css: error: a device, not a file: remove it" in out
    assert "Error: 2 special files where MkDocs reads (each above)" in out
    assert ".hidden-pipe" not in out
    assert not (tmp_path / "site").exists() and leftovers(tmp_path) == []
    serve = _run([str(PLAYBOOK), "serve", str(root), "--dev-addr", "127.0.0.1:1"])
    assert serve.returncode == 1
    assert f"{root}/docs/notes/pipe.md: error: a FIFO (named pipe), not a file" in serve.stderr


# -- scratch folders owned by a lock ------------------------------------------------------


@pytest.fixture
def held_scratch(tmp_path: Path) -> Iterator[Path]:
    """A scratch folder for tmp_path/site held by this process, as a running build holds its own."""
    with output._staging(tmp_path / "site") as stage:
        (stage / "site").mkdir()
        (stage / "site" / "index.html").write_text("half a site, still being written")
        yield stage


def test_race_pid_namespace_a_build_leaves_a_scratch_folder_whose_lock_is_held(
    tmp_path: Path, held_scratch: Path
) -> None:
    """Case race-pid-namespace: the other build runs in another PID namespace and cannot see us."""
    prefix = unshare_works()
    code, out = finish(
        cli_build(minimal_project(), "--site-dir", str(tmp_path / "site"), prefix=prefix)
    )
    assert code == 0, out
    assert (held_scratch / "site" / "index.html").read_text() == "half a site, still being written"
    assert_complete(tmp_path / "site")
    assert leftovers(tmp_path) == [held_scratch.name]


def test_race_pid_namespace_two_real_builds_end_with_one_whole_site(tmp_path: Path) -> None:
    """Case race-pid-namespace as reported: a big build, then a small one in another PID namespace."""
    prefix = unshare_works()
    big = copy_minimal(tmp_path, "big", title="Big")
    for i in range(300):
        (big / "content" / "touchpoints" / f"t{i}.yml").write_text(
            f"name: T{i}\nstage: care\ndepartment: clinical\nowner: nurse\n"
            "channel: phone\ncategory: respond\n"
        )
    small = copy_minimal(tmp_path, "small", title="Small")
    target = tmp_path / "site"
    first = cli_build(big, "--site-dir", str(target))
    deadline = time.monotonic() + BUILD_TIMEOUT
    while not list(tmp_path.glob(".site.building-*")):
        assert first.poll() is None and time.monotonic() < deadline, first.communicate()[0]
        time.sleep(0.05)
    second = cli_build(small, "--site-dir", str(target), prefix=prefix)
    (code1, out1), (code2, out2) = finish(first), finish(second)
    assert (code1, code2) == (0, 0), out1[-2000:] + out2[-2000:]
    assert assert_complete(target) in ("Big", "Small")
    assert leftovers(tmp_path) == []


def test_an_abandoned_scratch_folder_is_removed_and_an_unprovable_one_kept(tmp_path: Path) -> None:
    killed = subprocess.run(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                """
                import os, signal, sys
                from pathlib import Path
                from playbook import output
                with output._staging(Path(sys.argv[1])) as stage:
                    (stage / "site").mkdir()
                    print(stage, flush=True)
                    os.kill(os.getpid(), signal.SIGKILL)
                """
            ),
            str(tmp_path / "site"),
        ],
        capture_output=True,
        text=True,
    )
    assert killed.returncode == -signal.SIGKILL
    abandoned = Path(killed.stdout.strip())
    assert (abandoned / "site").is_dir() and (abandoned / output.LOCK_NAME).is_file()
    # Named by process id, by a version before locks: nothing proves it abandoned.
    unprovable = tmp_path / ".site.building-1-abcdefgh"
    unprovable.mkdir()
    (unprovable / "index.html").write_text("someone's")
    site.build(Project(minimal_project()), site_dir=tmp_path / "site")
    assert not abandoned.exists()
    assert (unprovable / "index.html").read_text() == "someone's"
    assert_complete(tmp_path / "site")


def test_a_terminated_build_removes_its_scratch_folder_and_lock(tmp_path: Path) -> None:
    build = cli_build(copy_minimal(tmp_path / "p"), "--site-dir", str(tmp_path / "out" / "site"))
    deadline = time.monotonic() + BUILD_TIMEOUT
    while not list((tmp_path / "out").glob(".site.building-*/lock")):
        assert build.poll() is None and time.monotonic() < deadline, "no scratch folder appeared"
        time.sleep(0.02)
    build.terminate()
    assert build.wait(60) == 128 + signal.SIGTERM
    assert os.listdir(tmp_path / "out") == []


def sigterm_after(real: Callable[..., Any], nth: int = 1) -> Callable[..., Any]:
    """`real`, sending this process SIGTERM as its `nth` call returns: the signal
    arriving at that very step."""
    calls = 0

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        result = real(*args, **kwargs)
        calls += 1
        if calls == nth:
            os.kill(os.getpid(), signal.SIGTERM)
        return result

    return wrapped


@contextlib.contextmanager
def sigterm_exits() -> Iterator[None]:
    """SIGTERM handled as `playbook build` handles it (SystemExit), for the block."""

    def stop(*_args: object) -> None:
        raise SystemExit(128 + signal.SIGTERM)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@pytest.mark.parametrize("moment", ["folder made", "lock taken", "removing"])
def test_a_stop_signal_at_any_step_of_a_scratch_folder_leaves_none_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, moment: str
) -> None:
    # The signal arrives at the worst moments: the folder made but not yet in the
    # `try` that removes it, its lock just taken, or its removal begun. Python runs the
    # handler (SystemExit, as `playbook build` has it) at the next bytecode.
    if moment == "folder made":
        monkeypatch.setattr(output.tempfile, "mkdtemp", sigterm_after(output.tempfile.mkdtemp))
    elif moment == "lock taken":
        monkeypatch.setattr(output.fcntl, "flock", sigterm_after(output.fcntl.flock))
    with (
        sigterm_exits(),
        pytest.raises(SystemExit),
        output._scratch_folder(tmp_path, ".site.building-") as folder,
    ):
        assert (folder / output.LOCK_NAME).exists()
        (folder / "half a site").write_text("pages")
        if moment == "removing":
            monkeypatch.setattr(output, "_remove_tree", sigterm_after(output._remove_tree))
        else:
            pytest.fail("the signal was not taken when the folder was ready")
    assert os.listdir(tmp_path) == []


def test_a_signal_held_takes_effect_when_the_block_ends() -> None:
    steps: list[str] = []

    def stop(signum: int, _frame: object) -> None:
        steps.append(f"handler {signum}")
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        with pytest.raises(SystemExit) as stopped, output.signals_held():
            os.kill(os.getpid(), signal.SIGTERM)
            os.kill(os.getpid(), signal.SIGTERM)
            steps.append("block done")
        assert signal.getsignal(signal.SIGTERM) is stop
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert steps == ["block done", f"handler {int(signal.SIGTERM)}"]
    assert stopped.value.code == 128 + signal.SIGTERM


# -- two builds into one folder -----------------------------------------------------------


@pytest.mark.parametrize("namespaces", [False, True], ids=["same-namespace", "two-pid-namespaces"])
def test_two_concurrent_builds_into_one_folder_end_with_one_whole_site(
    tmp_path: Path, namespaces: bool
) -> None:
    prefix = unshare_works() if namespaces else None
    target = tmp_path / "site"
    site.build(Project(copy_minimal(tmp_path, "old", title="Old")), site_dir=target)
    (target / ".git").mkdir()
    (target / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n")
    one = copy_minimal(tmp_path, "one", title="One")
    two = copy_minimal(tmp_path, "two", title="Two")
    builds = [cli_build(p, "--site-dir", str(target), prefix=prefix) for p in (one, two)]
    results = [finish(b) for b in builds]
    assert [code for code, _ in results] == [0, 0], results
    assert assert_complete(target) in ("One", "Two")
    assert (target / ".git" / "HEAD").read_text() == "ref: refs/heads/gh-pages\n"
    assert leftovers(tmp_path) == []


POLLER = """
import os, sys
home, stop = sys.argv[1], sys.argv[2]
looks = misses = 0
while not os.path.exists(stop):
    looks += 1
    if not os.path.exists(home):
        misses += 1
print(looks, misses)
"""


def test_many_swaps_never_leave_the_target_missing(tmp_path: Path) -> None:
    """The swap alone, 300 times (no MkDocs: fast), watched by another process."""
    target = tmp_path / "site"
    home = '<meta name="generator" content="mkdocs-1.6.1, mkdocs-material">'
    stop = tmp_path / "stop"
    poller = None
    try:
        for n in range(300):
            with output._staging(target) as stage:
                (stage / "site").mkdir()
                (stage / "site" / "index.html").write_text(f"{home}{n}")
                output._swap(stage / "site", target)
            if poller is None:
                poller = subprocess.Popen(
                    [sys.executable, "-c", POLLER, str(target / "index.html"), str(stop)],
                    stdout=subprocess.PIPE,
                    text=True,
                )
                time.sleep(0.5)  # started and looking
    finally:
        stop.touch()
        assert poller is not None
        looks, misses = map(int, poller.communicate(timeout=60)[0].split())
    assert looks > 1000 and misses == 0
    assert (target / "index.html").read_text() == f"{home}299"
    assert leftovers(tmp_path) == []


def test_a_build_waits_for_another_to_finish_swapping_then_says_why_it_gave_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "site"
    minimal_site_copy(target)  # the previous site; first, so the copy below has a warm cache
    root = copy_minimal(tmp_path)
    before = hashes(target)
    monkeypatch.setattr(output, "PUBLISH_WAIT", 1.0)
    stuck = output._publishing(target)  # another build, stuck while putting its site in place
    with stuck, pytest.raises(site.SiteError, match="another build has been putting its output"):
        site.build(Project(root), site_dir=target)
    assert hashes(target) == before
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("moment", ["lock made", "old site moved aside", "swapped"])
def test_a_stop_signal_while_swapping_leaves_a_whole_site_and_no_lock_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, moment: str
) -> None:
    # Where the file system cannot exchange two folders, the old site is renamed aside
    # and the new one renamed in: a stop between the two would leave no site at all.
    home = '<meta name="generator" content="mkdocs-1.6.1, mkdocs-material">'
    target = tmp_path / "site"
    target.mkdir()
    (target / "index.html").write_text(f"{home}old")

    monkeypatch.setattr(output, "_exchange", lambda _a, _b: False)
    if moment == "lock made":  # the second flock: the first is the scratch folder's
        monkeypatch.setattr(output.fcntl, "flock", sigterm_after(output.fcntl.flock, 2))
    else:
        nth = 1 if moment == "old site moved aside" else 2
        monkeypatch.setattr(output, "_rename", sigterm_after(output._rename, nth))
    with sigterm_exits(), pytest.raises(SystemExit), output._staging(target) as stage:
        (stage / "site").mkdir()
        (stage / "site" / "index.html").write_text(f"{home}new")
        output._swap(stage / "site", target)
    # Stopped before the swap: the old site; after the first rename: both renames done.
    expected = "old" if moment == "lock made" else "new"
    assert (target / "index.html").read_text() == f"{home}{expected}"
    assert leftovers(tmp_path) == []


# -- only a whole site is published ---------------------------------------------------------


HOOK = """\
import os, shutil

def on_post_build(config, **kwargs):
    site = config.site_dir
    for part in {parts!r}:
        path = os.path.join(site, part)
        if os.path.isdir(path):
            shutil.rmtree(path)
        elif os.path.exists(path):
            os.remove(path)
"""


@pytest.mark.parametrize(
    ("removed", "message"),
    [
        (["index.html"], "index.html (the home page)"),
        (["assets"], "assets/stylesheets/main.*.css (Material's styles)"),
        (["search"], "search/search_index.json (the search index)"),
        (["404.html"], "404.html (the page for a missing address)"),
        (
            ["stages/care", "stages/care.html"],
            "stages/care/index.html (the nav's page 'Care', from stages/care.md)",
        ),
    ],
)
def test_an_incomplete_staging_is_never_published(
    tmp_path: Path, removed: list[str], message: str
) -> None:
    target = tmp_path / "site"
    minimal_site_copy(target)  # the previous site; first, so the copy below has a warm cache
    root = copy_minimal(tmp_path)
    before = hashes(target)
    # An owner's MkDocs hook that loses part of the site: as a build whose scratch
    # folder someone else deleted.
    (root / "hooks.py").write_text(HOOK.format(parts=removed))
    (root / "mkdocs.yml").write_text("site_name: Owner site\nhooks: [hooks.py]\n")
    with pytest.raises(site.SiteError) as caught:
        site.build(Project(root), site_dir=target)
    assert caught.value.message.startswith("the built site is incomplete, so it was not published")
    assert message in caught.value.message
    assert hashes(target) == before
    assert leftovers(tmp_path) == []
    # The same through the CLI: exit 1 and the message, never "site written".
    code, out = finish(cli_build(root, "--site-dir", str(target), "--zip", str(tmp_path / "h.zip")))
    offline = message.replace("stages/care/index.html", "stages/care.html")  # --zip: offline
    assert code == 1 and offline in out and "site written" not in out
    assert not (tmp_path / "h.zip").exists()


def test_a_nav_entry_for_a_page_that_does_not_exist_is_not_published(tmp_path: Path) -> None:
    root = copy_minimal(tmp_path)
    (root / "docs").mkdir()
    (root / "docs" / "about.md").write_text("# About\n")
    (root / "mkdocs.yml").write_text(
        "site_name: Owner site\nnav:\n  - Home: index.md\n  - About: about.md\n"
        "  - Rules: rules.md\n  - Elsewhere: https://example.org/\n"
    )
    with pytest.raises(
        site.SiteError, match=r"rules/index.html \(the nav's page 'Rules', from rules.md\)"
    ):
        site.build(Project(root), site_dir=tmp_path / "site")
    assert not (tmp_path / "site").exists()
    (root / "docs" / "rules.md").write_text("# Rules\n")
    site.build(Project(root), site_dir=tmp_path / "site")
    assert (tmp_path / "site" / "rules" / "index.html").is_file()


def test_an_incomplete_docs_tree_is_not_published(tmp_path: Path) -> None:
    root = copy_minimal(tmp_path)
    site.build(Project(root), docs_only=tmp_path / "tree")
    output._refuse_incomplete_docs(tmp_path / "tree")  # whole: no complaint
    (tmp_path / "tree" / "docs" / "stages" / "care.md").unlink()
    with pytest.raises(
        site.SiteError, match=r"missing docs/stages/care.md \(the nav's page 'Care'\)"
    ):
        output._refuse_incomplete_docs(tmp_path / "tree")


# -- cases: links out of the owner's folders, other themes, the site folder's mode -------------


def test_symlinks_out_of_docs_and_templates_stop_the_build_before_reading(tmp_path: Path) -> None:
    """Case symlinks-out-of-docs-and-templates: committed links to files and folders outside
    the project are named, one line each, and nothing is built; links inside stay allowed."""
    case = CASES / "symlinks-out-of-docs-and-templates"
    root = tmp_path / "ci"
    shutil.copytree(case / "content", root / "content")
    (root / "mkdocs.yml").write_text(
        "site_name: Clinic\nplugins: [search, playbook]\n"
        "markdown_extensions: [{pymdownx.snippets: {base_path: [snip, .]}}]\n"
    )
    (root / "snip").mkdir()
    home = tmp_path / "runner-home"
    (home / ".aws").mkdir(parents=True)
    (home / ".aws" / "credentials").write_text("aws_secret_access_key=XYZ\n")
    (home / "token.txt").write_text("SECRET-TOKEN-12345\n")
    (root / "docs").mkdir()
    (root / "templates").mkdir()
    (root / "docs" / "own.md").write_text("# Our page\n")
    (root / "docs" / "notes.md").symlink_to(home / "token.txt")
    (root / "docs" / "aws").symlink_to(home / ".aws")
    (root / "docs" / "tmp").symlink_to("/tmp")  # a huge folder: never walked
    (root / "templates" / "team.md.j2").symlink_to(home / "token.txt")
    (root / "snip" / "note.md").symlink_to(home / "token.txt")  # a snippet: its text pasted in
    (root / "docs" / "roles").symlink_to("../content/roles")  # inside the project: allowed
    (root / "content" / "roles" / "leak.txt").symlink_to(home / "token.txt")  # ...and looked into
    out = tmp_path / "published"
    started = time.monotonic()
    code, text = finish(cli_build(root, "--site-dir", str(out)))
    assert code == 1, text
    link = "error: a symbolic link to a {} outside the project"
    assert f"docs/notes.md: {link.format('file')} ({home / 'token.txt'})" in text
    assert f"docs/aws: {link.format('folder')} ({home / '.aws'})" in text
    assert f"docs/tmp: {link.format('folder')} (/tmp)" in text
    assert f"templates/team.md.j2: {link.format('file')}" in text
    assert f"docs/roles/leak.txt: {link.format('file')}" in text  # named as MkDocs reads it
    assert f"snip/note.md: {link.format('file')}" in text
    assert "Error: 6 symbolic links lead outside the project (each above)" in text
    assert "docs/roles:" not in text and "Traceback" not in text
    assert not out.exists()
    # MkDocs run directly (the plugin alone) refuses them too, before reading anything.
    mkdocs = _run([str(PLAYBOOK.parent / "mkdocs"), "build", "-d", str(out)], cwd=root)
    assert mkdocs.returncode == 1
    assert f"docs/aws: {link.format('folder')}" in mkdocs.stderr
    assert not out.exists()
    assert time.monotonic() - started < 20


def test_rebuild_refused_other_theme_a_second_build_replaces_the_first(tmp_path: Path) -> None:
    """Case rebuild-refused-other-theme: MkDocs' own themes write no generator tag; the site
    is ours by the marker every build writes, and a folder without it is still refused."""
    minimal_site()  # the case's content is MINIMAL: its copy comes with drawn diagrams
    root = copy_minimal(tmp_path, "p")
    case = (CASES / "rebuild-refused-other-theme" / "mkdocs.yml").read_text()
    for theme in ("mkdocs", "readthedocs"):
        (root / "mkdocs.yml").write_text(case.replace("name: mkdocs", f"name: {theme}"))
        code, text = finish(cli_build(root))
        assert code == 0, text
        assert (root / "site" / output.SITE_MARKER).read_text() == output.SITE_NOTE
        assert 'name="generator"' not in (root / "site" / "index.html").read_text()
    assert "theme" in (root / "site" / "index.html").read_text()  # the readthedocs build's
    # A folder that only looks like a site (its own index.html, no marker) is not replaced.
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "index.html").write_text("<html>someone's</html>")
    (foreign / "sitemap.xml").write_text("<urlset/>")
    code, text = finish(cli_build(root, "--site-dir", str(foreign)))
    assert code == 1 and "is not a built site: not replacing" in text
    assert sorted(os.listdir(foreign)) == ["index.html", "sitemap.xml"]


def test_site_folder_mode_lost_the_new_site_keeps_mode_group_and_setgid(tmp_path: Path) -> None:
    """Case site-folder-mode-lost: a served folder set up as `2750 <the server's group>` keeps
    that after a build, even under umask 077, and what the build wrote joins the group."""
    root = copy_minimal(tmp_path)
    www = minimal_site_copy(tmp_path / "www")
    with contextlib.suppress(PermissionError):
        os.chown(www, -1, 65534)  # nogroup: root may; others keep their own group
    os.chmod(www, 0o2750)
    before = os.stat(www)
    handout = tmp_path / "handout.zip"  # the zip it replaces keeps its mode and group too
    zipfile.ZipFile(handout, "w").close()
    os.chown(handout, -1, before.st_gid)
    os.chmod(handout, 0o640)
    umask = ["sh", "-c", 'umask 077 && exec "$@"', "sh"]
    code, text = finish(
        cli_build(root, "--site-dir", str(www), "--zip", str(handout), prefix=umask)
    )
    assert code == 0, text
    assert stat.S_IMODE(os.stat(handout).st_mode) == 0o640
    assert os.stat(handout).st_gid == before.st_gid and zipfile.ZipFile(handout).namelist()
    after = os.stat(www)
    assert stat.S_IMODE(after.st_mode) == 0o2750 == stat.S_IMODE(before.st_mode)
    assert after.st_gid == before.st_gid
    assert after.st_ino != before.st_ino  # a new folder, swapped in
    assert os.stat(www / "index.html").st_gid == before.st_gid  # setgid: files join the group
    assert os.stat(www / "assets").st_mode & stat.S_ISGID
    assert (www / "404.html").is_file() and (www / output.SITE_MARKER).is_file()
    assert leftovers(tmp_path) == []


# -- a rebuild links the pages that came out the same ------------------------------------


def test_a_rebuild_links_the_pages_that_came_out_the_same_and_writes_the_rest(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """unchanged.py: a page whose bytes are the published file's is hard-linked from it,
    the rest written; never a file with another name (it would share the page's bytes),
    a link, or one whose mode a new file would not get. The site is the one a build
    with no published site beside it makes, and MkDocs' "Page skipped" lines never show."""
    root = copy_minimal(tmp_path)
    target = tmp_path / "site"
    site.build(Project(root), site_dir=target)
    visit = root / "content" / "touchpoints" / "visit.yml"
    visit.write_text(visit.read_text().replace("The patient is seen.", "The patient is seen soon."))
    shared = target / "roles" / "receptionist" / "index.html"
    os.link(shared, tmp_path / "elsewhere.html")  # a second name: never linked into a site
    shared_bytes = shared.read_bytes()
    linked_out = target / "roles" / "nurse" / "index.html"
    outside = tmp_path / "outside.html"
    shutil.copy(linked_out, outside)
    linked_out.unlink()
    linked_out.symlink_to(outside)  # the same bytes, through a link: never followed
    chmodded = target / "measures" / "answer-speed" / "index.html"
    chmodded.chmod(0o600)  # a new file would be 0644: written anew, as a new file is
    before = {p.relative_to(target).as_posix(): os.lstat(p) for p in target.rglob("*.html")}

    with caplog.at_level(logging.INFO):
        site.build(Project(root), site_dir=target)

    def same_inode(address: str) -> bool:
        return os.lstat(target / address).st_ino == before[address].st_ino

    assert same_inode("index.html") and same_inode("stages/inquiry/index.html")
    assert os.stat(target / "index.html").st_nlink == 1  # the old site's name is gone
    assert not same_inode("touchpoints/visit/index.html")  # it changed: written
    assert "seen soon" in (target / "touchpoints" / "visit" / "index.html").read_text()
    for address in ("roles/receptionist/index.html", "roles/nurse/index.html"):
        assert not same_inode(address) and (target / address).is_file()
        assert not (target / address).is_symlink()
    assert not same_inode("measures/answer-speed/index.html")
    assert stat.S_IMODE(os.stat(chmodded).st_mode) == 0o644
    assert (tmp_path / "elsewhere.html").read_bytes() == shared_bytes
    assert os.stat(tmp_path / "elsewhere.html").st_nlink == 1
    assert "Page skipped" not in caplog.text
    said = re.search(r"site written to .* \((\d+) pages as published before: linked", caplog.text)
    assert said is not None and int(said[1]) >= 5, caplog.text

    fresh = copy_minimal(tmp_path, "fresh")
    shutil.copy(visit, fresh / "content" / "touchpoints" / "visit.yml")
    site.build(Project(fresh), site_dir=tmp_path / "fresh-site")
    assert hashes(target) == hashes(tmp_path / "fresh-site")


def test_a_failed_rebuild_leaves_the_linked_pages_as_they_were(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build that fails once MkDocs has linked the pages (here, the last check of the
    site fails) leaves every published file with its bytes and only its own name."""
    root = copy_minimal(tmp_path)
    target = tmp_path / "site"
    site.build(Project(root), site_dir=target)
    before = hashes(target)
    home = os.stat(target / "index.html")
    shared: list[bool] = []

    def fails(built: Path, config: Any) -> None:
        shared.append(os.stat(built / "index.html").st_ino == home.st_ino)
        raise site.SiteError("the check of the built site failed")

    monkeypatch.setattr(site, "_refuse_incomplete_site", fails)
    with pytest.raises(site.SiteError, match="check of the built site failed"):
        site.build(Project(root), site_dir=target)
    assert shared == [True]  # the home page was linked, not written, when it failed
    assert hashes(target) == before
    assert all(os.stat(p).st_nlink == 1 for p in target.rglob("*.html"))
    assert leftovers(tmp_path) == []


def test_two_pages_at_one_address_never_write_through_a_linked_page(tmp_path: Path) -> None:
    """`foo.md` and `foo/index.md` both make `foo/index.html`, and MkDocs writes both. With
    the first linked from the published site, the second must make a new file, not write
    through the link: a failing build leaves the published page as it was."""
    root = copy_minimal(tmp_path)
    (root / "mkdocs.yml").write_text("site_name: Test Playbook\nnot_in_nav: |\n  /foo/index.md\n")
    (root / "docs").mkdir()
    (root / "docs" / "foo.md").write_text("# Foo\n\nPage A.\n")
    target = tmp_path / "site"
    site.build(Project(root), site_dir=target)
    before = hashes(target)
    assert "Page A." in (target / "foo" / "index.html").read_text()
    (root / "docs" / "foo").mkdir()
    (root / "docs" / "foo" / "index.md").write_text("# Foo B\n\nPage B, [broken](nope.md).\n")
    with pytest.raises(site.SiteError):
        site.build(Project(root), site_dir=target, strict=True)
    assert hashes(target) == before  # the published page was not written through a link
    site.build(Project(root), site_dir=target)
    fresh = tmp_path / "fresh"
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns(".playbook-cache"))
    site.build(Project(fresh), site_dir=tmp_path / "fresh-site")
    assert hashes(target) == hashes(tmp_path / "fresh-site")


def test_a_published_page_with_extended_attributes_is_written_anew(tmp_path: Path) -> None:
    """A page that carries what a new file would not (an ACL taken off the folder since,
    a `user.` note) is written, not linked: the new site's pages are as a build makes them."""
    root = copy_minimal(tmp_path)
    target = tmp_path / "site"
    site.build(Project(root), site_dir=target)
    page = target / "roles" / "nurse" / "index.html"
    try:
        os.setxattr(page, "user.note", b"reviewed")
    except OSError as exc:
        pytest.fail(f"this test needs user extended attributes on {tmp_path}: {exc}")
    inode = os.stat(page).st_ino
    site.build(Project(root), site_dir=target)
    assert os.stat(page).st_ino != inode
    assert "user.note" not in os.listxattr(page)
    assert os.stat(target / "index.html").st_nlink == 1
