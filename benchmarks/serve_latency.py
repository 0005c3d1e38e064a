"""Measure the editor's loop: save an article while `sitegen serve` runs, time until the reload.

    python benchmarks/serve_latency.py                  # the sample site, 10 saves
    python benchmarks/serve_latency.py --size 1000      # a generated 1,000-article site
    python benchmarks/serve_latency.py --site /tmp/sitegen-bench/site-10000-seed7-v1 --saves 5
    python benchmarks/serve_latency.py --edit body      # change a paragraph instead of the title

For each save it prints the time from writing the file to (a) the first livereload "reload"
message a browser gets (the edited page, shown before the site is rebuilt), (b) the new text being
served over HTTP, and (c) the end of the rebuild of the whole site (a request for the home page
waits for it), then the medians. The site (its content/ and site.toml) is copied, or generated,
into a temporary folder; the server runs as `python -m sitegen serve`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from tornado.websocket import websocket_connect

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import generate  # noqa: E402 (script-relative import)

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read().decode("utf-8")
    except OSError as exc:
        return str(exc)


def prepare(folder: Path, size: int | None, site: Path | None) -> Path:
    if size:
        return generate(size, folder)
    source = site or REPO
    folder.mkdir()
    shutil.copytree(source / "content", folder / "content")
    shutil.copy(source / "site.toml", folder / "site.toml")
    return folder


def pick_article(root: Path) -> tuple[Path, str]:
    """A published article and its URL path (from the file name, as the sample and corpus use)."""
    for path in sorted((root / "content/articles").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        if "draft: true" not in text and "\nslug:" not in text:
            slug = path.stem[11:] if path.stem[:4].isdigit() else path.stem
            return path, f"/articles/{urllib.request.quote(slug)}/"
    raise SystemExit("no article to edit")


async def measure(port: int, path: Path, url: str, saves: int, edit: str
                  ) -> list[tuple[float, float, float]]:
    socket_ = await websocket_connect(f"ws://127.0.0.1:{port}/livereload")
    await socket_.write_message(json.dumps({"command": "hello", "protocols": [
        "http://livereload.com/protocols/official-7"]}))
    await socket_.read_message()
    await socket_.write_message(json.dumps({"command": "info", "url": f"http://127.0.0.1:{port}/"}))
    await asyncio.sleep(0.5)
    original = path.read_text(encoding="utf-8")
    results = []
    try:
        for number in range(saves):
            marker = f"قياس{number}"
            text = (original.replace('title: "', f'title: "{marker} ', 1) if edit == "title"
                    else original.rstrip("\n") + f"\n\nفقرة {marker}.\n")
            saved = time.monotonic()
            path.write_text(text, encoding="utf-8")
            while json.loads(await socket_.read_message()).get("command") != "reload":
                pass
            reloaded = time.monotonic() - saved
            while marker not in fetch(f"http://127.0.0.1:{port}{url}"):
                await asyncio.sleep(0.01)
            served = time.monotonic() - saved
            await asyncio.sleep(0.2)  # past the debounce, so the rebuild has begun
            fetch(f"http://127.0.0.1:{port}/")  # waits while the server rebuilds
            results.append((reloaded, served, time.monotonic() - saved))
            print(f"save {number + 1}: reload message {reloaded:.3f}s, new page served "
                  f"{served:.3f}s, site rebuilt {results[-1][2]:.3f}s", flush=True)
            await drain(socket_)  # the rebuild's own reload message
    finally:
        path.write_text(original, encoding="utf-8")
        socket_.close()
    return results


async def drain(socket_) -> None:
    """Read messages until none comes for a second."""
    while True:
        try:
            await asyncio.wait_for(socket_.read_message(), timeout=1.0)
        except TimeoutError:
            return


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, help="generate a site of this many articles")
    parser.add_argument("--site", type=Path, help="copy this site (its content/ and site.toml)")
    parser.add_argument("--saves", type=int, default=10)
    parser.add_argument("--edit", choices=("title", "body"), default="title")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        root = prepare(Path(work) / "site", args.size, args.site)
        path, url = pick_article(root)
        port = free_port()
        started = time.monotonic()
        server = subprocess.Popen([sys.executable, "-m", "sitegen", "serve", "--site", str(root),
                                   "--port", str(port), "--quiet"], cwd=REPO)
        try:
            while "<html" not in fetch(f"http://127.0.0.1:{port}/"):
                if server.poll() is not None:
                    raise SystemExit("serve exited")
                time.sleep(0.1)
            what = f"{args.size} generated articles" if args.size else (args.site or "sample")
            print(f"site: {what}; "
                  f"first build and start: {time.monotonic() - started:.1f}s; editing {path.name}")
            results = asyncio.run(measure(port, path, url, args.saves, args.edit))
        finally:
            server.terminate()
            server.wait(timeout=60)
    reloads, pages, rebuilt = zip(*results, strict=True)
    print(f"median over {len(results)} saves ({args.edit} edits): save→reload message "
          f"{statistics.median(reloads):.3f}s (min {min(reloads):.3f}, max {max(reloads):.3f}); "
          f"save→new page {statistics.median(pages):.3f}s; "
          f"save→site rebuilt {statistics.median(rebuilt):.3f}s")


if __name__ == "__main__":
    main()
