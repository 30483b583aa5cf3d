"""The device's line to HQ: JSON over HTTP with a timeout, errors as typed refusals.

A transport is any callable ``(path, payload) -> (status, body)``; the HTTP one is
used in the field, tests may pass an in-process one. A network failure is
:class:`HQUnreachable` (the branch may then work offline); an HQ refusal is a
:class:`DeviceError` carrying HQ's code and both messages.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from entekhab.device.errors import DeviceError, HQUnreachable

Transport = Callable[[str, dict[str, Any]], tuple[int, dict[str, Any]]]


class HQRefused(DeviceError):
    """HQ answered with an error body ``{"code", "message", "message_fa"}``."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(str(body.get("message", f"HQ answered {status}")),
                         str(body.get("message_fa", body.get("message", ""))), code=str(body.get("code", "hq_error")))
        self.status = status
        self.body = body


class HttpTransport:
    """POST JSON to ``base_url + path``; one keep-alive-free request per call, as devices do."""

    def __init__(self, base_url: str, *, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def __call__(self, path: str, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        data = json.dumps(payload, ensure_ascii=False).encode()
        request = urllib.request.Request(self.base_url + path, data=data, method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            try:
                body = json.loads(exc.read() or b"{}")
            except ValueError:
                body = {"code": "hq_error", "message": f"HQ answered {exc.code}"}
            return exc.code, body if isinstance(body, dict) else {"code": "hq_error"}
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            raise HQUnreachable("HQ is unreachable: %(exc)s", params={"exc": exc}) from exc

    def fetch(self, path: str) -> tuple[int, bytes, str]:
        """GET ``base_url + path``: status, body bytes and content type (for photos by digest)."""
        try:
            with urllib.request.urlopen(self.base_url + path, timeout=self.timeout) as response:
                return response.status, response.read(), response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            return exc.code, b"", ""
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            raise HQUnreachable("HQ is unreachable: %(exc)s", params={"exc": exc}) from exc


def call(transport: Transport, path: str, payload: dict[str, Any]) -> dict[str, Any]:
    status, body = transport(path, payload)
    if status >= 500:
        raise HQUnreachable("HQ answered %(status)s", params={"status": status})
    if status >= 400:
        raise HQRefused(status, body)
    return body
