"""browser.py - headless Chromium driven through the Chrome DevTools protocol, standard library only.

It starts Debian's `chromium` with a private profile and a DevTools port on the loopback
interface, opens one page target, and records what a test must see: console errors and
uncaught exceptions, log entries (CSP violations land there), and every request the page makes
(so a test can fail on anything that is not file:, data: or blob:).  Screenshots come back as PNG
and are decoded here (8-bit RGB/RGBA, non-interlaced: what Chromium writes) into pixel rows.

    with Browser() as b:               # raises Unavailable when there is no chromium
        b.open("file:///.../page.html")
        b.wait_for("document.body.dataset.voxState === 'drawn'")
        png = b.screenshot(clip)        # bytes; decode_png(png) -> (w, h, rows of (r, g, b))
"""
import base64
import json
import os
import shutil
import socket
import struct
import subprocess
import tempfile
import time
import zlib


class Unavailable(Exception):
    """No usable chromium on this machine."""


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        p = shutil.which(name)
        if p:
            return p
    return None


class WebSocket:
    """The client half of RFC 6455 on a plain TCP socket: text frames, masked, fragments joined."""

    def __init__(self, url, timeout=30):
        assert url.startswith("ws://")
        hostport, path = url[5:].split("/", 1)
        host, port = hostport.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        req = (f"GET /{path} HTTP/1.1\r\nHost: {hostport}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
        self.sock.sendall(req.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("the DevTools endpoint closed during the handshake")
            head += chunk
        status, _, self.buf = head.partition(b"\r\n\r\n")
        if b" 101 " not in status.split(b"\r\n", 1)[0]:
            raise ConnectionError(f"websocket handshake refused: {status[:80]!r}")

    def send(self, text):
        data = text.encode()
        n = len(data)
        hdr = bytes([0x81])
        if n < 126:
            hdr += bytes([0x80 | n])
        elif n < 65536:
            hdr += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            hdr += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        self.sock.sendall(hdr + mask + bytes(b ^ mask[i & 3] for i, b in enumerate(data)))

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise ConnectionError("the DevTools connection closed")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def recv(self):
        parts = []
        while True:
            b0, b1 = self._read(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            mask = self._read(4) if b1 & 0x80 else None
            payload = self._read(n)
            if mask:
                payload = bytes(b ^ mask[i & 3] for i, b in enumerate(payload))
            op = b0 & 0x0F
            if op == 0x8:
                raise ConnectionError("the DevTools connection was closed")
            if op in (0x9, 0xA):  # ping / pong: nothing to do for a client that only talks to Chromium
                continue
            parts.append(payload)
            if b0 & 0x80:
                return b"".join(parts).decode()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class Browser:
    """One headless Chromium with one page; events are collected as they arrive."""

    def __init__(self, width=1280, height=900, timeout=60):
        exe = find_chromium()
        if not exe:
            raise Unavailable("chromium is not installed (scripts/setup.sh installs Debian's chromium)")
        # Chromium puts its singleton socket under $TMPDIR (org.chromium.Chromium.XXXXXX/SingletonSocket): under a
        # long TMPDIR that name passed the 107 bytes a socket's may have, chromium did not start, and the browser
        # tests were skipped.  Its profile and temporaries go in one short folder under /tmp, whatever TMPDIR is.
        self.profile = tempfile.mkdtemp(prefix="vox-chromium-", dir="/tmp" if os.access("/tmp", os.W_OK) else None)
        args = [exe, "--headless=new", "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1",
                f"--user-data-dir={self.profile}", f"--window-size={width},{height}", "--no-first-run",
                "--no-default-browser-check", "--disable-gpu-sandbox", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--metrics-recording-only", "--mute-audio", "--hide-scrollbars",
                # WebGL through SwiftShader (software): the same pixels on every machine, no GPU needed
                "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist",
                "--force-device-scale-factor=1"]
        if os.geteuid() == 0:
            args.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
        args.append("about:blank")
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True, env=dict(os.environ, TMPDIR=self.profile))
        url, seen = None, []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                break
            seen.append(line)
            if "DevTools listening on " in line:
                url = line.split("DevTools listening on ", 1)[1].strip()
                break
        if not url:
            self.close()
            raise Unavailable("chromium did not start: " + "".join(seen[-5:]).strip())
        # keep draining stderr so chromium never blocks on a full pipe
        import threading
        threading.Thread(target=lambda: [None for _ in self.proc.stderr], daemon=True).start()
        self.ws = WebSocket(url, timeout)
        self.next_id = 0
        self.events = []
        self.console_errors, self.requests = [], []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(domain + ".enable", session=True)

    # -- protocol ---------------------------------------------------------------------------------
    def _note(self, msg):
        m, p = msg.get("method"), msg.get("params", {})
        if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            self.console_errors.append("console.error: " + " ".join(str(a.get("value", a.get("description", "")))
                                                                    for a in p.get("args", [])))
        elif m == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            self.console_errors.append("exception: " + str(d.get("exception", {}).get("description", d.get("text"))))
        elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            e = p["entry"]
            self.console_errors.append(f"log ({e.get('source')}): {e.get('text')} {e.get('url', '')}")
        elif m == "Network.requestWillBeSent":
            self.requests.append(p.get("request", {}).get("url", ""))

    def call(self, method, session=False, timeout=60, **params):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params}
        if session:
            msg["sessionId"] = self.session
        self.ws.send(json.dumps(msg))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self._note(reply)
        raise TimeoutError(method)

    def pump(self, seconds):
        """Reads events for a while (the page keeps running meanwhile)."""
        self.ws.sock.settimeout(0.05)
        end = time.monotonic() + seconds
        try:
            while time.monotonic() < end:
                try:
                    self._note(json.loads(self.ws.recv()))
                except (socket.timeout, TimeoutError):
                    pass
        finally:
            self.ws.sock.settimeout(60)

    # -- page ---------------------------------------------------------------------------------------
    def open(self, url):
        self.call("Page.navigate", session=True, url=url)

    def eval(self, expr):
        r = self.call("Runtime.evaluate", session=True, expression=expr, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"{expr}: {r['exceptionDetails'].get('exception', {}).get('description')}")
        return r.get("result", {}).get("value")

    def wait_for(self, expr, timeout=30):
        """Polls a JavaScript condition; returns the seconds it took, raises TimeoutError."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            try:
                if self.eval(expr):
                    return time.monotonic() - t0
            except RuntimeError:
                pass
            self.pump(0.05)
        raise TimeoutError(f"waited {timeout} s for {expr}")

    def click(self, x, y):
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", session=True, type=kind, x=x, y=y, button="left",
                      clickCount=0 if kind == "mouseMoved" else 1)

    def move(self, x, y):
        self.call("Input.dispatchMouseEvent", session=True, type="mouseMoved", x=x, y=y)

    def screenshot(self, clip=None):
        params = {"format": "png", "captureBeyondViewport": False}
        if clip:
            params["clip"] = dict(clip, scale=1)
        return base64.b64decode(self.call("Page.captureScreenshot", session=True, **params)["data"])

    def close(self):
        ws = getattr(self, "ws", None)
        if ws:
            try:
                self.call("Browser.close", timeout=5)
            except Exception:
                pass
            ws.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def decode_png(data):
    """(width, height, rows): rows[y][x] = (r, g, b), for 8-bit non-interlaced RGB or RGBA PNGs."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, w = 8, [], 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or ctype not in (2, 6) or interlace:
                raise ValueError(f"PNG kind not handled: depth {depth}, colour type {ctype}, interlace {interlace}")
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    raw = zlib.decompress(b"".join(idat))
    stride = w * bpp
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(h):
        f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + ((a + b) >> 1)) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x:x + 3]) for x in range(0, stride, bpp)])
        prev = line
    return w, h, rows
