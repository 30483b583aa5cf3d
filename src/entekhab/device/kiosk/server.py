"""The kiosk's HTTP edge: Starlette on uvicorn, bound to 127.0.0.1, in front of :class:`Kiosk`.

Anything that can reach the port (another program on the machine, a web page in the
kiosk's own browser through DNS rebinding or a cross-site form) must not be able to open,
close or vote, so before the application layer sees a request:

* its ``Host`` must be on the allow-list (127.0.0.1, localhost and the bound host, with the
  port), which defeats DNS rebinding;
* a POST must come from the kiosk's own origin: ``Origin``, or when a browser sends none,
  ``Sec-Fetch-Site: same-origin`` or a same-origin ``Referer``; a client sending none of them
  is refused;
* the body is at most 1 MB of strict JSON (no NaN, valid UTF-8, at most 64 levels deep) and an
  object;
* the operator session comes from an HttpOnly, SameSite=Strict cookie set by ``/api/login``,
  and :meth:`Kiosk.call` checks the role the route needs (``operators.ROUTE_ROLES``).

Every refusal is JSON (``code``, ``message``, ``message_fa``) with a 4xx status and changes
nothing. An unexpected exception is a bug: it answers 500 (JSON too), never a false 200.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from entekhab.device.kiosk import FONTS, PAGES, STATIC, TYPES, Kiosk, _refusal
from entekhab.device.kiosk.operators import IDLE_TIMEOUT_S, OPERATOR, PUBLIC, OperatorRefused, required_role

BODY_LIMIT = 1_000_000
MAX_DEPTH = 64
COOKIE = "kiosk_session"
# Binary media the kiosk serves from its application layer, each with a strict CSP (an SVG
# photo or anything else must never run script even when opened on its own).
MEDIA = (("/photos/", "photo"), ("/cards/", "card_image"), ("/audio/", "audio_clip"))
# A printed card carries its token, and a cached clip shows that some voter typed that name.
PRIVATE_MEDIA = ("/cards/", "/audio/")
MEDIA_CSP = "default-src 'none'; style-src 'unsafe-inline'; media-src 'self'"
PAGE_HEADERS = {"Content-Security-Policy": "frame-ancestors 'none'", "X-Frame-Options": "DENY",
                "Referrer-Policy": "same-origin", "Cache-Control": "no-store"}


def default_hosts(host: str, port: int) -> list[str]:
    """127.0.0.1, localhost and the bound host, each with the port (what a browser sends as Host)."""
    return sorted({f"{name}:{port}" for name in ("127.0.0.1", "localhost", host) if name not in ("", "0.0.0.0")})


def _json(status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    response = JSONResponse(payload, status_code=status, headers={"Cache-Control": "no-store", **(headers or {})})
    return response


def _refuse(status: int, code: str, msgid: str) -> JSONResponse:
    return _json(status, _refusal(code, msgid))


def _not_found() -> JSONResponse:
    return _refuse(404, "not_found", "not found")


def _same_origin(request: Request, host: str) -> bool:
    own = f"http://{host}"
    origin = request.headers.get("origin")
    if origin is not None:
        return origin.lower() == own
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site == "same-origin"
    referer = request.headers.get("referer")
    return bool(referer) and (referer.lower() == own or referer.lower().startswith(own + "/"))


def _depth(value: Any) -> int:
    """Nesting depth, iteratively (a deep body must not exhaust the stack while it is checked)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if level > MAX_DEPTH:
                return level
            stack.extend((child, level + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_body(raw: bytes) -> dict[str, Any] | None:
    """A JSON object from the request bytes, or None if it is not strict JSON or not an object."""
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw.decode("utf-8"), parse_constant=_no_constants)
    except (ValueError, RecursionError):  # bad UTF-8, bad JSON, NaN/Infinity, over-long integers, too deep
        return None
    if not isinstance(body, dict) or _depth(body) > MAX_DEPTH:
        return None
    return body


async def _read_limited(request: Request) -> bytes | None:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > BODY_LIMIT):
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > BODY_LIMIT:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def make_app(kiosk: Kiosk, *, allowed_hosts: Iterable[str]) -> Starlette:
    """The kiosk as an ASGI app; ``allowed_hosts`` are ``host:port`` values the Host header may carry."""
    hosts = {h.lower() for h in allowed_hosts}

    def operator_of(request: Request, needed: str | None) -> tuple[Any, JSONResponse | None]:
        token = request.cookies.get(COOKIE)
        if not token:
            return None, None
        try:
            return kiosk.operators.lookup(token), None
        except OperatorRefused as exc:  # a lapsed session says so, where the route needs one
            return None, (None if needed is PUBLIC else _json(exc.status, exc.as_dict()))

    async def login(request: Request, body: dict[str, Any]) -> Response:
        try:
            token, operator = await run_in_threadpool(kiosk.operators.login, body.get("role"), body.get("pin"))
        except OperatorRefused as exc:
            return _json(exc.status, exc.as_dict())
        response = _json(200, {"operator": operator.as_dict(), "idle_timeout_s": kiosk.operators.idle_timeout})
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict", path="/",
                            max_age=int(max(kiosk.operators.idle_timeout, IDLE_TIMEOUT_S)) * 48)
        return response

    def whoami(request: Request) -> Response:
        token = request.cookies.get(COOKIE)
        payload: dict[str, Any] = {"operator": None, "roles": kiosk.operators.enrolled_roles(), "expired": False}
        if token:
            try:
                payload["operator"] = kiosk.operators.lookup(token, touch=False).as_dict()  # polling is not use
            except OperatorRefused as exc:
                payload.update(expired=exc.code == "session_expired", refusal=exc.as_dict())
        return _json(200, payload)

    async def dispatch(request: Request) -> Response:
        host = request.headers.get("host", "").lower()
        if host not in hosts:
            return _refuse(421, "bad_host", "this address is not the kiosk's: open it at 127.0.0.1 or localhost")
        path = request.url.path
        if request.method == "POST":
            if not _same_origin(request, host):
                return _refuse(403, "cross_origin", "refused: the request did not come from the kiosk's own pages")
            raw = await _read_limited(request)
            if raw is None:
                return _refuse(413, "too_large", "request too large")
            body = parse_body(raw)
            if body is None:
                return _refuse(400, "bad_request", "the body must be a JSON object")
            if path == "/api/login":
                return await login(request, body)
            if path == "/api/logout":
                kiosk.operators.logout(request.cookies.get(COOKIE))
                response = _json(200, {"operator": None})
                response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
                return response
            if path not in kiosk.ROUTES:
                return _not_found()
            needed = await run_in_threadpool(required_role, path, body)
            operator, lapsed = operator_of(request, needed)
            if lapsed is not None:
                return lapsed
            status, payload = await run_in_threadpool(kiosk.call, path, body, operator)
            return _json(status, payload)
        return await run_in_threadpool(get, request, path)

    def get(request: Request, path: str) -> Response:
        if path in PAGES:
            return Response((STATIC / PAGES[path]).read_bytes(), media_type=TYPES[".html"], headers=PAGE_HEADERS)
        if path == "/api/whoami":
            return whoami(request)
        if path in kiosk.ROUTES and required_role(path, {}) is PUBLIC:
            operator, _ = operator_of(request, PUBLIC)
            return _json(*kiosk.call(path, {}, operator))
        name = path[1:]
        report_pdf: Callable[[str], bytes | None] | None = getattr(kiosk, "report_pdf", None)
        if report_pdf is not None:
            pdf = report_pdf(name)
        else:
            file = kiosk.report_dir / name
            pdf = file.read_bytes() if name in ("report.pdf", "zero-report.pdf") and file.is_file() else None
        if pdf is not None:
            return Response(pdf, media_type=TYPES[".pdf"], headers={"Cache-Control": "no-store"})
        for prefix, attribute in MEDIA:
            source = getattr(kiosk, attribute, None)
            if path.startswith(prefix) and source is not None:
                if prefix in PRIVATE_MEDIA:  # a card's token, or which names were spoken: the desk's eyes only
                    operator, lapsed = operator_of(request, OPERATOR)
                    if lapsed is not None:
                        return lapsed
                    if operator is None:
                        return _refuse(401, "login_required", "log in first (branch head or operator PIN)")
                found = source(path[len(prefix):])
                if found is None:
                    return _not_found()
                return Response(found[0], media_type=found[1], headers={
                    "Content-Security-Policy": MEDIA_CSP, "X-Content-Type-Options": "nosniff",
                    "Cache-Control": "no-store"})
        for prefix, folder in (("/static/", STATIC), ("/fonts/", FONTS)):
            rest = path[len(prefix):]
            if path.startswith(prefix) and "/" not in rest and not rest.startswith("."):
                file = folder / rest
                if file.suffix in TYPES and file.is_file():
                    return Response(file.read_bytes(), media_type=TYPES[file.suffix],
                                    headers={"Cache-Control": "no-store"})
        return _not_found()

    async def internal_error(request: Request, exc: Exception) -> Response:
        return _refuse(500, "internal_error", "the kiosk failed unexpectedly; nothing was changed by this request")

    return Starlette(routes=[Route("/{path:path}", dispatch, methods=["GET", "POST"])],
                     exception_handlers={Exception: internal_error})


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def _server(kiosk: Kiosk, sock: socket.socket, host: str, extra_hosts: Iterable[str]) -> Any:
    import uvicorn

    port = sock.getsockname()[1]
    app = make_app(kiosk, allowed_hosts=[*default_hosts(host, port), *extra_hosts])
    return uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))


@contextmanager
def running(kiosk: Kiosk, host: str = "127.0.0.1", port: int = 0, *,
            extra_hosts: Iterable[str] = ()) -> Iterator[str]:
    """Serve the kiosk from a thread (for tests); yields its base URL, e.g. ``http://127.0.0.1:41234``."""
    sock = _bind(host, port)
    server = _server(kiosk, sock, host, extra_hosts)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        yield f"http://{host}:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def serve(kiosk: Kiosk, host: str = "127.0.0.1", port: int = 8470, *, extra_hosts: Iterable[str] = (),
          on_ready: Callable[[str], None] = print) -> None:
    """Serve the kiosk in the foreground until interrupted (``entekhab device serve``)."""
    sock = _bind(host, port)
    server = _server(kiosk, sock, host, extra_hosts)
    on_ready(f"http://{host}:{sock.getsockname()[1]}")
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
