"""Serve a recorded mirror (a folder of static pages) on 127.0.0.1, as if it were the site.

    python -m mirror.server mirror/vecher [--port 0]

prints the base URL (``http://127.0.0.1:PORT``) on its first line and serves until killed.

How a request maps to a file of the mirror folder:
- ``/a/b.html`` -> ``a/b.html``; a path that ends in ``/`` or has no extension -> ``<path>/index.html``
  (``/`` -> ``index.html``);
- a query string is part of the name: ``/ru/lenta?page=2`` -> ``ru/lenta/index@page=2.html``;
- the placeholder ``__BASE__`` in a text file is replaced by the base URL, so sitemaps, feeds and
  canonical links point at the mirror;
- ``_routes.json`` may declare ``{"redirects": {path: target}, "status": {path: code}}``
  (redirects are 301; a bare status answers with an empty body).

Every answer carries an ``ETag`` (hash of the body) and ``Last-Modified`` (the file's mtime), and
conditional requests (``If-None-Match``, ``If-Modified-Since``) get ``304 Not Modified``, like a
real web server. Files whose name starts with ``_`` are never served. No settings are read.
"""

from __future__ import annotations

import argparse
import email.utils
import hashlib
import json
import mimetypes
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

PLACEHOLDER = b"__BASE__"
TEXT_TYPES = {".html", ".htm", ".xml", ".rss", ".txt", ".json", ".atom", ""}
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
    ".gz": "application/gzip",
}


class Mirror:
    """A mirror folder and its routes; resolves request targets to files."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        routes_file = self.root / "_routes.json"
        routes = json.loads(routes_file.read_text("utf-8")) if routes_file.exists() else {}
        self.redirects: dict[str, str] = routes.get("redirects", {})
        self.statuses: dict[str, int] = {k: int(v) for k, v in routes.get("status", {}).items()}

    def file_for(self, target: str) -> Path | None:
        """The file that answers ``target`` (path and query), or None."""
        parts = urlsplit(target)
        path = unquote(parts.path)
        if path.endswith("/") or not Path(path).suffix:
            base = path.rstrip("/") + "/index"
            suffix = ".html"
        else:
            base, suffix = path[: -len(Path(path).suffix)], Path(path).suffix
        name = f"{base}@{parts.query}{suffix}" if parts.query else f"{base}{suffix}"
        candidate = (self.root / name.lstrip("/")).resolve()
        # Never serve outside the mirror, nor its private files (_routes.json, _articles.json).
        if self.root not in candidate.parents or candidate.name.startswith("_"):
            return None
        return candidate if candidate.is_file() else None


def make_handler(mirror: Mirror, base_url: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "NewsMirror/1.0"
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet: tests read the crawler's log, not the server's

        def do_HEAD(self) -> None:
            self.answer(send_body=False)

        def do_GET(self) -> None:
            self.answer(send_body=True)

        def answer(self, send_body: bool) -> None:
            path = urlsplit(self.path).path
            if path in mirror.redirects or self.path in mirror.redirects:
                target = mirror.redirects.get(self.path) or mirror.redirects[path]
                self.send(301, b"", {"Location": target}, send_body)
                return
            status = mirror.statuses.get(self.path) or mirror.statuses.get(path)
            if status:
                self.send(status, b"", {}, send_body)
                return
            file = mirror.file_for(self.path)
            if file is None:
                self.send(404, b"not found", {"Content-Type": "text/plain"}, send_body)
                return
            body = file.read_bytes()
            suffix = file.suffix.lower()
            if suffix in TEXT_TYPES:
                body = body.replace(PLACEHOLDER, base_url.encode())
            ctype = CONTENT_TYPES.get(suffix) or mimetypes.guess_type(file.name)[0]
            etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
            mtime = int(file.stat().st_mtime)
            headers = {
                "Content-Type": ctype or "application/octet-stream",
                "ETag": etag,
                "Last-Modified": email.utils.formatdate(mtime, usegmt=True),
            }
            if self.not_modified(etag, mtime):
                self.send(304, b"", {"ETag": etag}, send_body)
                return
            self.send(200, body, headers, send_body)

        def not_modified(self, etag: str, mtime: int) -> bool:
            if_none_match = self.headers.get("If-None-Match")
            if if_none_match is not None:
                return etag in [tag.strip() for tag in if_none_match.split(",")]
            since = self.headers.get("If-Modified-Since")
            if since:
                try:
                    parsed = email.utils.parsedate_to_datetime(since)
                except (TypeError, ValueError):
                    return False
                return mtime <= parsed.timestamp()
            return False

        def send(self, code: int, body: bytes, headers: dict[str, str], send_body: bool) -> None:
            self.send_response(code)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if send_body and body:
                self.wfile.write(body)

    return Handler


def serve(root: Path, port: int = 0) -> tuple[ThreadingHTTPServer, str]:
    """Start serving ``root`` on 127.0.0.1 in a daemon thread; returns the server and base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", port), BaseHTTPRequestHandler)
    base_url = f"http://127.0.0.1:{server.server_address[1]}"
    server.RequestHandlerClass = make_handler(Mirror(root), base_url)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, base_url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve a recorded mirror on 127.0.0.1.")
    parser.add_argument("root", type=Path, help="the mirror folder, e.g. mirror/vecher")
    parser.add_argument("--port", type=int, default=0, help="port (0: any free port)")
    args = parser.parse_args(argv)
    if not args.root.is_dir():
        print(f"error: no mirror folder at {args.root}", file=sys.stderr)
        return 2
    server, base_url = serve(args.root, args.port)
    print(base_url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
