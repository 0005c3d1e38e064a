"""Nothing is lost (issue 8): a build killed at any moment leaves output/ exactly the old site or
exactly the new one, and two builds of one site never interleave.

Two ways of killing builds:
- every file-system step of a build, one by one: a forked child builds with an audit hook
  (sys.addaudithook, Python's own instrumentation) that kills it, or raises KeyboardInterrupt as
  a Ctrl+C would, just before its k-th step that changes the disk;
- `python -m sitegen build` subprocesses sent SIGINT or SIGKILL at random moments.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from sitegen.build import site_lock
from sitegen.cli import main
from sitegen.diagnostics import ConfigError
from sitegen.shadow import SHADOW_SUFFIX

from sitetools import REPO, article, build_site, run_cli, snapshot, write_site

# Audit events of operations that change the disk (os.exchange is shadow.py's renameat2 call,
# seen as a ctypes call).
CHANGES_DISK = {"os.rename", "os.replace", "os.remove", "os.unlink", "os.rmdir", "os.mkdir", "os.link",
                "os.symlink", "os.truncate", "os.chmod", "shutil.rmtree", "shutil.copyfile",
                "shutil.copymode", "shutil.copystat", "ctypes.call_function"}
NOW = "2026-11-29T12:00:00+00:00"


def version(name: str, articles: int = 4) -> dict[str, str | bytes]:
    """Site content; versions differ in every page, and B drops some articles and adds one."""
    files: dict[str, str | bytes] = {
        f"content/articles/a{i}.md": article(f"خبر {i} ({name})", body=f"نص الخبر {i} في النسخة {name}.")
        for i in range(articles) if not (name == "B" and i % 3 == 0)}
    if name == "B":
        files["content/articles/new.md"] = article("خبر جديد")
        files["content/static/images/b.svg"] = "<svg xmlns='http://www.w3.org/2000/svg'/>"
    else:
        files["content/static/images/a.svg"] = "<svg xmlns='http://www.w3.org/2000/svg'></svg>"
    return files


def use_version(root: Path, name: str, articles: int = 4) -> None:
    shutil.rmtree(root / "content", ignore_errors=True)
    write_site(root, version(name, articles), (root / "site.toml").read_text(encoding="utf-8"))


def content(folder: Path) -> dict[str, bytes] | None:
    if not folder.is_dir():
        return None
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def expected(tmp_path_factory) -> dict[str, dict[str, bytes]]:
    """What output/ holds after a complete build of version A and of version B."""
    sites = {}
    for name in "AB":
        root = write_site(tmp_path_factory.mktemp(f"ref{name}") / "site", version(name))
        build_site(root)
        sites[name] = content(root / "output")
    assert sites["A"] != sites["B"]
    return sites


def which(found: dict[str, bytes] | None, expected: dict[str, dict[str, bytes]]) -> str:
    return next((name for name, site in expected.items() if site == found), "a mix or nothing")


def build_killed_at(root: Path, step: int, how: str) -> tuple[int, int]:
    """Build in a forked child stopped just before its `step`-th disk change. Returns, for a
    build that got to the end, how many steps it made and the first one that touched the
    previous site's tree beside output/ (where output/'s replacement begins)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        os.close(read_end)
        count, first_commit = 0, 0

        def hook(event: str, args: tuple) -> None:
            nonlocal count, first_commit
            writes = event == "open" and isinstance(args[1], str) and any(c in args[1] for c in "wax+")
            if event in CHANGES_DISK or writes:
                count += 1
                if not first_commit and any(SHADOW_SUFFIX in str(a) for a in args):
                    first_commit = count
                if count == step:
                    if how == "SIGKILL":
                        os.kill(os.getpid(), signal.SIGKILL)
                    raise KeyboardInterrupt  # what Ctrl+C raises, at this exact point

        quiet = os.open(os.devnull, os.O_WRONLY)
        os.dup2(quiet, 1)
        os.dup2(quiet, 2)
        sys.addaudithook(hook)
        try:
            main(["build", "--site", str(root), "--now", NOW, "-q"])  # as `sitegen build` runs
        except BaseException:  # noqa: B036 (KeyboardInterrupt is what is being tested)
            pass
        os.write(write_end, f"{count} {first_commit}".encode())
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        made = pipe.read().split()
    os.waitpid(pid, 0)
    return (int(made[0]), int(made[1])) if made else (0, 0)


@pytest.mark.parametrize("history", ["first update", "steady state"])
def test_killed_before_every_disk_change_output_is_old_or_new(site_factory, expected, history):
    """"first update": output/ was built once (no previous tree beside it yet); "steady state":
    built several times, so only the paths that changed since are synced."""
    root = site_factory(version("A"))
    cli(root)
    if history == "steady state":
        for name in "BA":
            use_version(root, name)
            cli(root)
    use_version(root, "B")
    shutil.copytree(root, root.parent / "count", symlinks=True)
    steps, first_commit = build_killed_at(root.parent / "count", 10**9, "SIGKILL")
    assert 10 < first_commit < steps
    # Before the commit begins the build only writes its own staging folder: sample those steps.
    # From there on every single one in the steady state (what every build runs); every third
    # while the first update links the whole previous tree, which is the same step many times.
    stride = 1 if history == "steady state" else 3
    chosen = list(range(1, first_commit, 5)) + list(range(first_commit, steps + 1, stride))
    chosen += [step for step in range(steps - 3, steps + 1) if step not in chosen]
    outcomes: dict[str, int] = {}
    for number, step in enumerate(chosen):
        trial = root.parent / f"try{step}"
        shutil.copytree(root, trial, symlinks=True)
        how = "SIGKILL" if number % 2 else "SIGINT"
        build_killed_at(trial, step, how)
        found = which(content(trial / "output"), expected)
        assert found in ("A", "B"), f"killed by {how} before disk change {step} of {steps}: {found}"
        outcomes[found] = outcomes.get(found, 0) + 1
        if number % 4 == 0 or step > steps - 4:  # the next build repairs what the killed one left
            cli(trial)
            assert content(trial / "output") == expected["B"], f"rebuild after {how} at {step}"
            assert [p.name for p in trial.iterdir() if "staging" in p.name] == []
        shutil.rmtree(trial)
    assert outcomes.get("A", 0) > 5 and outcomes.get("B", 0) > 3, outcomes


def cli(root: Path) -> None:
    assert main(["build", "--site", str(root), "--now", NOW, "-q"]) == 0


def cli_build(root: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "sitegen", "build", "--site", str(root), "--now", NOW, "-q"]
    return subprocess.Popen(command, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin",
                                          "LANG": "C.UTF-8"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


@pytest.mark.skipif(sys.platform != "linux", reason="atomic folder exchange (renameat2) is Linux only")
def test_cli_builds_killed_at_random_moments(site_factory, expected):
    """SIGINT (Ctrl+C reaches the whole process group) or SIGKILL at a random moment of a real
    `sitegen build`, alternating versions; output/ is never a mix and never missing."""
    root = site_factory(version("A"))
    started = time.monotonic()
    assert cli_build(root).wait(timeout=120) == 0
    duration = time.monotonic() - started
    rng = random.Random(8)
    missing: list[float] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            if not (root / "output").is_dir():
                missing.append(time.monotonic())

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    current, outcomes, deadline = "A", [], time.monotonic() + 20
    try:
        for _ in range(12):
            if time.monotonic() > deadline:
                break
            target = "B" if current == "A" else "A"
            use_version(root, target)
            process = cli_build(root)
            time.sleep(rng.uniform(0, duration * 1.1))
            how = rng.choice([signal.SIGINT, signal.SIGKILL])
            try:
                os.killpg(process.pid, how)
            except ProcessLookupError:
                pass
            process.wait(timeout=60)
            current = which(content(root / "output"), expected)
            assert current in ("A", "B"), f"after {how.name}: {current}; before: {outcomes}"
            outcomes.append((how.name, process.returncode, current))
    finally:
        stop.set()
        watcher.join()
    assert not missing
    assert len(outcomes) >= 3
    use_version(root, "B")
    assert cli_build(root).wait(timeout=120) == 0
    assert content(root / "output") == expected["B"]


def test_second_build_at_the_same_time_refuses(site_factory):
    root = site_factory(version("A"))
    build_site(root)
    before = snapshot(root / "output")
    use_version(root, "B")
    with site_lock(root.resolve()):
        result = run_cli("build", "--site", str(root))
        with pytest.raises(ConfigError) as caught:
            build_site(root)
    assert result.returncode == 2
    message = (f"error: another sitegen build is running for {root.resolve()}; wait for it to finish "
               "and try again")
    assert result.stderr.splitlines() == [message, "build failed: 1 error"]
    assert [d.format() for d in caught.value.diagnostics] == [message]
    assert snapshot(root / "output") == before
    build_site(root)  # the lock goes with the build holding it


@pytest.fixture
def mounted_output(site_factory):
    """A site whose output/ is a mount point, as a Docker volume is (skipped where mounting is
    not allowed)."""
    root = site_factory(version("A"))
    (root / "output").mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "sitegen-test", str(root / "output")],
                             capture_output=True, check=False) if shutil.which("mount") else None
    if mounted is None or mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root in a privileged environment)")
    yield root
    subprocess.run(["umount", str(root / "output")], check=True)


def test_output_that_is_a_mount_point_is_filled_and_updated(mounted_output, expected):
    """A mount point cannot be renamed: the first build fills it and later ones update its files."""
    root = mounted_output
    cli(root)
    assert content(root / "output") == expected["A"]
    use_version(root, "B")
    cli(root)
    assert content(root / "output") == expected["B"]
    use_version(root, "A")
    cli(root)
    assert content(root / "output") == expected["A"]
