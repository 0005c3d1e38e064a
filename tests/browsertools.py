"""Helpers for the real-browser tests: find Chromium and axe-core, serve a built site locally.

Chromium is Debian's /usr/bin/chromium driven by the Playwright package (never `playwright
install`). Locally a missing browser or axe-core skips with the reason; with CI=true it fails.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from sitetools import REPO

CHROMIUM = os.environ.get("SITEGEN_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
AXE_JS = Path(os.environ.get("SITEGEN_AXE_JS", REPO / ".ci/axe/node_modules/axe-core/axe.min.js"))
ARTIFACTS = REPO / "test-artifacts"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def unavailable(reason: str) -> None:
    """Skip locally, fail in CI: there a missing browser would silently hide broken pages."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{reason} (required when CI=true; .ci/run installs it)")
    pytest.skip(reason)


def launch_chromium(playwright_instance):
    if not Path(CHROMIUM).is_file():
        unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    return playwright_instance.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the output folder like a static host: missing paths get 404.html with status 404."""

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve `folder` on 127.0.0.1 (a free port) in a thread; yields the base URL."""
    handler = functools.partial(SiteHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


# Our own WCAG contrast check, because axe leaves joined Arabic letters unchecked when it takes
# them for icon-font ligatures. Every visible text run: its colour (with opacity) over the first
# opaque background behind it; elements over background images are reported as unchecked.
CONTRAST_JS = """() => {
  const parse = c => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const blend = (top, bottom) => { const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + bottom[i] * (1 - a)).concat([1]); };
  const lum = rgb => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(rgb[0]) + 0.7152 * f(rgb[1]) + 0.0722 * f(rgb[2]); };
  const background = el => { const layers = [];
    for (let e = el; e; e = e.parentElement) { const s = getComputedStyle(e);
      if (s.backgroundImage !== 'none') return null;
      const c = parse(s.backgroundColor); if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; } }
    let bg = [255, 255, 255, 1]; for (const c of layers.reverse()) bg = blend(c, bg); return bg; };
  const opacity = el => { let o = 1; for (let e = el; e; e = e.parentElement) o *= parseFloat(getComputedStyle(e).opacity); return o; };
  const checked = [], unchecked = [], seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!node.textContent.trim() || seen.has(el)) continue; seen.add(el);
    const s = getComputedStyle(el), r = el.getBoundingClientRect();
    if (!r.width || !r.height || s.visibility === 'hidden' || el.closest('.visually-hidden, .skip-link, [aria-hidden="true"]')) continue;
    const text = node.textContent.trim().slice(0, 40), bg = background(el);
    if (!bg) { unchecked.push(text); continue; }
    const fg = parse(s.color); fg[3] *= opacity(el);
    const a = lum(blend(fg, bg)), b = lum(bg), ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(s.fontSize), bold = parseInt(s.fontWeight, 10) >= 700;
    const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    checked.push({text, ratio: Math.round(ratio * 100) / 100, needed, where: el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')});
  }
  return {checked, unchecked};
}"""

# axe's color-contrast rule only looks at elements whose text it does not take for icon-font
# ligatures, and its heuristic takes most joined Arabic words for ligatures (3 of ~57 text
# elements checked on the home page). Give the rule a plain "has visible text" matcher instead.
AXE_RUN_JS = """async () => {
  axe.configure({rules: [{id: 'color-contrast', matches: node =>
    [...node.childNodes].some(c => c.nodeType === 3 && c.nodeValue.trim() !== '')
    && parseFloat(getComputedStyle(node).fontSize) > 0}]});
  const r = await axe.run(document);
  const pick = xs => xs.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
  const count = kind => (r[kind].find(x => x.id === 'color-contrast') || {nodes: []}).nodes.length;
  return {violations: pick(r.violations), contrast: {passes: count('passes'),
    violations: count('violations'), incomplete: count('incomplete')}};
}"""
