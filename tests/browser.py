"""Headless Chromium for the render tests: the browser driven over the DevTools protocol
through a pipe (`--remote-debugging-pipe`: no port, no network, no library), and the
layout checks run in the page.

`Browser.open(path)` loads a local page; `Page.layout()` measures it in the browser:

- `cut`: every element holding text whose content is wider than its box
  (`scrollWidth > clientWidth`: text cut off or spilling out of its cell), every
  chart text reaching out of its `<svg>`, and a page wider than the window;
- `overlaps`: every two text boxes (a text node's line boxes, an SVG `<text>`) that
  overlap (by more than `TOLERANCE` px each way);
- `tofu`: every character drawn as the missing-glyph box: on a canvas, in the font
  of the element that holds it, the character is drawn exactly as a code point no
  font has (U+F0000, plane 15 private use);
- `fallback`: text drawn in a font the element's `font-family` does not name
  (CSS.getPlatformFontsForNode): the page's fonts lack those glyphs and the
  browser took whatever font the machine has (a county office's machine may have
  none, or another).

A test that needs the browser calls `need_browser()`: without one it skips, saying
why, and under CI (the environment variable CI set) it fails instead.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path

import pytest

#: px two text boxes may share (anti-aliased edges, rounding of line boxes)
TOLERANCE = 1.0
#: a code point no font has: what it draws is the missing-glyph box
NOTDEF = "\U000F0000"
#: every DevTools call must answer within this many seconds
CALL_TIMEOUT = 60.0


def chromium() -> str | None:
    """The Chromium executable: Debian's /usr/bin/chromium, else one on PATH."""
    for name in ("/usr/bin/chromium", "chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def need_browser() -> str:
    """The browser, or skip the test (fail it under CI: CI installs the browser)."""
    exe = chromium()
    if exe is None:
        why = ("no Chromium (install Debian's chromium and fonts-noto-cjk: "
               "apt-get install chromium fonts-noto-cjk)")
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but the render tests cannot run: {why}")
        pytest.skip(why)
    return exe


class BrowserError(RuntimeError):
    pass


class Browser:
    """One headless Chromium, talked to over its DevTools pipe (fd 3 in, fd 4 out)."""

    def __init__(self, exe: str, profile: Path):
        to_r, to_w = os.pipe()    # we write, the browser reads on its fd 3
        from_r, from_w = os.pipe()  # the browser writes on its fd 4, we read
        # out of the way of 3 and 4 before the child moves them there
        to_r, from_w = (fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in (to_r, from_w))

        def pipes():  # in the child, before exec: these two survive it, nothing else
            os.dup2(to_r, 3)
            os.dup2(from_w, 4)

        profile.mkdir(parents=True, exist_ok=True)
        args = [exe, "--headless", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-extensions",
                "--no-first-run", "--no-default-browser-check", "--mute-audio",
                "--hide-scrollbars", "--force-color-profile=srgb",
                "--font-render-hinting=none", f"--user-data-dir={profile}", "about:blank"]
        self.log = open(profile / "chromium.log", "wb")
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT, close_fds=False,
                                     preexec_fn=pipes, env={**os.environ, "HOME": str(profile)})
        for fd in (to_r, from_w):
            os.close(fd)
        self.out, self.inp = to_w, from_r
        self.buf = b""
        self.next_id = 0
        self.events: list[dict] = []
        targets = self.call("Target.getTargets")["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        self.session = self.call("Target.attachToTarget", targetId=page["targetId"],
                                 flatten=True)["sessionId"]
        for domain in ("Page", "DOM", "CSS", "Runtime"):
            self.call(f"{domain}.enable", session=True)

    # ------------------------------------------------------------ protocol
    def call(self, method: str, session: bool = False, **params) -> dict:
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params}
        if session:
            msg["sessionId"] = self.session
        os.write(self.out, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + CALL_TIMEOUT
        while True:
            reply = self.read(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def read(self, deadline: float) -> dict:
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.inp], [], [], left)[0]:
                raise BrowserError("Chromium did not answer in time")
            chunk = os.read(self.inp, 1 << 20)
            if not chunk:
                raise BrowserError(f"Chromium exited ({self.proc.poll()})")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\0", 1)
        return json.loads(line)

    def wait_event(self, method: str) -> dict:
        deadline = time.monotonic() + CALL_TIMEOUT
        while True:
            for i, e in enumerate(self.events):
                if e["method"] == method:
                    return self.events.pop(i)
            msg = self.read(deadline)
            if "method" in msg:
                self.events.append(msg)

    # ------------------------------------------------------------ pages
    def open(self, page: Path, width: int, height: int = 1000) -> Page:
        """Load a local page in a viewport `width` px wide (A4 at 96 dpi: 794)."""
        self.call("Emulation.setDeviceMetricsOverride", session=True, width=width,
                  height=height, deviceScaleFactor=1, mobile=False)
        self.events.clear()
        self.call("Page.navigate", session=True, url=Path(page).resolve().as_uri())
        self.wait_event("Page.loadEventFired")
        self.evaluate("document.fonts.ready.then(() => true)")
        return Page(self, Path(page))

    def evaluate(self, expression: str):
        res = self.call("Runtime.evaluate", session=True, expression=expression,
                        returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in res:
            raise BrowserError(f"in the page: {res['exceptionDetails']}")
        return res["result"].get("value")

    def close(self) -> None:
        try:
            self.call("Browser.close")
        except BrowserError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self.out, self.inp):
            os.close(fd)
        self.log.close()


class Page:
    def __init__(self, browser: Browser, path: Path):
        self.browser, self.path = browser, path

    def layout(self) -> dict:
        """`{"cut", "overlaps", "tofu", "fallback"}`: the findings (lists of texts saying
        where), how many text elements (`texts`), text boxes (`boxes`) and distinct CJK
        characters (`cjk`) were measured, and the page's `width` and `height` in px."""
        found = self.browser.evaluate(LAYOUT_JS)
        found["fallback"] = self.fallback_fonts(found.pop("marked"))
        return found

    def fallback_fonts(self, marked: list[list[str]]) -> list[str]:
        """Text drawn in a font its element's font-family does not name; `marked`: the
        [text, font-family, its characters] of the elements LAYOUT_JS marked, in document
        order.  One look-up per font-family and set of characters (they draw the same)."""
        b = self.browser
        root = b.call("DOM.getDocument", session=True, depth=0)["root"]["nodeId"]
        nodes = b.call("DOM.querySelectorAll", session=True, nodeId=root,
                       selector="[data-layout-text]")["nodeIds"]
        assert len(nodes) == len(marked), (len(nodes), len(marked))
        out, seen = [], set()
        for node, (text, family, chars) in zip(nodes, marked):
            key = (family, chars)
            if key in seen:
                continue
            seen.add(key)
            named = [f.strip().strip("\"'").lower() for f in family.split(",")]
            fonts = b.call("CSS.getPlatformFontsForNode", session=True, nodeId=node)["fonts"]
            for f in fonts:
                if f["familyName"].lower() not in named:
                    out.append(f"{text!r} drawn in {f['familyName']} ({f['glyphCount']} "
                               f"glyphs), a font its font-family {family} does not name")
        return out

    def screenshot(self, png: Path, most: int = 3000) -> Path:
        """The page as a PNG, from the top down to `most` px (beyond the viewport)."""
        width, height = self.browser.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
        clip = {"x": 0, "y": 0, "width": width, "height": min(height, most), "scale": 1}
        data = self.browser.call("Page.captureScreenshot", session=True, format="png",
                                 captureBeyondViewport=True, clip=clip)["data"]
        png.write_bytes(base64.b64decode(data))
        return png

    def pdf_pages(self) -> int:
        """Pages when printed as the page's CSS asks (@page size), A4 otherwise."""
        data = self.browser.call("Page.printToPDF", session=True, preferCSSPageSize=True,
                                 paperWidth=8.27, paperHeight=11.69)["data"]
        pdf = base64.b64decode(data)
        return pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")


def png_size(png: Path) -> tuple[int, int]:
    head = png.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", png
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


#: the measuring script: marks the text elements it measured (data-layout-text) and lists
#: their text and font-family (`marked`) for fallback_fonts
LAYOUT_JS = r"""
(() => {
  const TOL = @TOL@, NOTDEF = @NOTDEF@;
  const own = el => Array.from(el.childNodes)
    .filter(n => n.nodeType === 3 && n.textContent.trim() !== "");
  const short = s => s.trim().replace(/\s+/g, " ").slice(0, 40);
  const where = el => {
    const parts = [];
    for (let e = el; e && e.nodeType === 1 && parts.length < 3; e = e.parentElement) {
      parts.unshift(e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
                    + (e.className && typeof e.className === "string"
                       ? "." + e.className.trim().split(/\s+/).join(".") : ""));
    }
    return parts.join(" > ");
  };
  const texts = Array.from(document.querySelectorAll("body *"))
    .filter(el => !["STYLE", "SCRIPT", "TITLE", "DEFS"].includes(el.tagName.toUpperCase())
                  && !(el instanceof SVGElement && !(el instanceof SVGTextContentElement))
                  && own(el).length);
  const cut = [], boxes = [], tofu = [], drawn = new Map(), cjk = new Set(), marked = [];
  const CJK = /[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]/u;
  const canvas = document.createElement("canvas");
  canvas.width = 64; canvas.height = 64;
  const ctx = canvas.getContext("2d", {willReadFrequently: true});
  const pixels = (font, ch) => {
    ctx.clearRect(0, 0, 64, 64); ctx.font = font; ctx.textBaseline = "middle";
    ctx.fillText(ch, 4, 32);
    return ctx.measureText(ch).width.toFixed(2) + ":" + ctx.getImageData(0, 0, 64, 64)
      .data.filter((_, i) => i % 4 === 3).join(",");
  };
  for (const el of texts) {
    const css = getComputedStyle(el);
    if (css.visibility === "hidden" || css.display === "none") continue;
    const text = own(el).map(n => n.textContent).join("");
    el.setAttribute("data-layout-text", "");
    marked.push([short(text), css.fontFamily, [...new Set(text)].sort().join("")]);
    const svg = el instanceof SVGElement;
    if (!svg && css.display !== "inline" && el.scrollWidth > el.clientWidth + TOL) {
      cut.push(`${where(el)} "${short(text)}": content ${el.scrollWidth}px wide in a `
               + `${el.clientWidth}px box`);
    }
    for (const n of own(el)) {
      const rects = svg ? [el.getBoundingClientRect()] : (() => {
        const r = document.createRange(); r.selectNodeContents(n);
        return Array.from(r.getClientRects());
      })();
      for (const r of rects) {
        if (r.width > 0 && r.height > 0) boxes.push({r, el, n, text: short(n.textContent)});
      }
      const frame = svg && el.ownerSVGElement && el.ownerSVGElement.getBoundingClientRect();
      for (const r of svg && frame ? rects : []) {
        if (r.left < frame.left - TOL || r.right > frame.right + TOL
            || r.top < frame.top - TOL || r.bottom > frame.bottom + TOL) {
          cut.push(`${where(el)} "${short(text)}" reaches out of its chart`);
        }
      }
    }
    const font = `32px ${css.fontFamily}`;
    if (!drawn.has(font)) drawn.set(font, {box: pixels(font, NOTDEF), seen: new Set()});
    const f = drawn.get(font);
    for (const ch of text) {
      if (/\s/.test(ch) || f.seen.has(ch)) continue;
      f.seen.add(ch);
      if (CJK.test(ch)) cjk.add(ch);
      if (pixels(font, ch) === f.box) {
        tofu.push(`"${ch}" (U+${ch.codePointAt(0).toString(16).toUpperCase()}) in `
                  + `${where(el)} "${short(text)}" shows as a box in ${css.fontFamily}`);
      }
    }
  }
  const overlaps = [];
  boxes.sort((a, b) => a.r.top - b.r.top);
  for (let i = 0; i < boxes.length; i++) {
    const a = boxes[i];
    for (let j = i + 1; j < boxes.length && boxes[j].r.top < a.r.bottom - TOL; j++) {
      const b = boxes[j];
      if (a.n === b.n) continue;
      const w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
      const h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
      if (w > TOL && h > TOL) {
        overlaps.push(`"${a.text}" (${where(a.el)}) and "${b.text}" (${where(b.el)}) `
                      + `overlap by ${w.toFixed(1)} x ${h.toFixed(1)} px`);
      }
    }
  }
  const doc = document.documentElement;
  if (doc.scrollWidth > doc.clientWidth + TOL) {
    cut.push(`the page is ${doc.scrollWidth}px wide in a ${doc.clientWidth}px window`);
  }
  return {cut, overlaps, tofu, texts: texts.length, boxes: boxes.length, cjk: cjk.size,
          width: doc.scrollWidth, height: doc.scrollHeight, marked};
})()
""".replace("@TOL@", str(TOLERANCE)).replace("@NOTDEF@", json.dumps(NOTDEF))
