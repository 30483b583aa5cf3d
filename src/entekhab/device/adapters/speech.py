"""Text to speech for the audio ballot: a small interface and an espeak-ng adapter.

The e-box's accessible path (VVSG 2.0 §7; VxMark's audio ballot) reads each step to a
voter with headphones: the contest, the name behind each typed code, the review and the
confirmation. The texts are Persian from the catalogue and the signed manifest; a
:class:`Speech` turns a text in a language into WAV bytes. :class:`EspeakSpeech` runs
Debian's ``espeak-ng`` (installed by ``scripts/install-system.sh``) with its Persian voice;
a real deployment may plug a better voice behind the same protocol.

:class:`ClipCache` keeps rendered clips in memory by a hash of voice and text, so the same
name is rendered once a day. It is deliberately not on disk: which names were spoken, and
when, must not outlive the process (ballot secrecy, THREATS.md), and the audio for a
review is a sequence of per-name clips, never one clip of a voter's combination.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from entekhab.device.errors import DeviceError

WAV = "audio/wav"
CLIP_NAME = re.compile(r"^[0-9a-f]{64}$")
MAX_TEXT = 2000  # characters; a review of 21 names is well under this


class SpeechUnavailable(DeviceError):
    code = "speech_unavailable"


class Speech(Protocol):
    """Turns ``text`` in ``language`` (``fa`` or ``en``) into a WAV file's bytes.

    ``voice`` names the voice (and its settings) so a cache can tell two renderings apart.
    Raises :class:`SpeechUnavailable` when it cannot speak (no engine installed).
    """

    def voice(self, language: str) -> str: ...

    def render(self, text: str, language: str) -> bytes: ...


@dataclass(frozen=True)
class EspeakSpeech:
    """``espeak-ng -v fa -w out.wav`` with the text on standard input (never parsed as options)."""

    binary: str = "espeak-ng"
    voices: dict[str, str] = field(default_factory=lambda: {"fa": "fa", "en": "en"})
    words_per_minute: int = 150
    timeout: float = 20.0

    def voice(self, language: str) -> str:
        return f"espeak-ng:{self.voices.get(language, language)}:{self.words_per_minute}"

    def available(self) -> bool:
        return shutil.which(self.binary) is not None

    def render(self, text: str, language: str) -> bytes:
        exe = shutil.which(self.binary)
        if exe is None:
            raise SpeechUnavailable("espeak-ng is not installed: run scripts/install-system.sh")
        with tempfile.TemporaryDirectory(prefix="entekhab-speech-") as tmp:
            out = Path(tmp) / "clip.wav"
            try:
                subprocess.run([exe, "-v", self.voices.get(language, language), "-s", str(self.words_per_minute),
                                "-w", str(out), "--stdin"], input=text.encode(), check=True,
                               capture_output=True, timeout=self.timeout)
            except (OSError, subprocess.SubprocessError) as exc:
                raise SpeechUnavailable("the speech engine failed: %(why)s", params={"why": str(exc)[:200]}) from exc
            return out.read_bytes()


def clip_name(voice: str, text: str) -> str:
    """A clip's name: the SHA-256 of voice and text (the same words in another voice are another clip)."""
    return hashlib.sha256(f"{voice}\n{text}".encode()).hexdigest()


class ClipCache:
    """Rendered clips by name, in memory, at most ``limit`` of them (the oldest go first)."""

    def __init__(self, speech: Speech, *, limit: int = 4096) -> None:
        self.speech, self.limit = speech, limit
        self._clips: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def clip(self, text: str, language: str = "fa") -> str:
        """The name of the clip speaking ``text``, rendering it if it is not cached yet."""
        text = " ".join(text.split())[:MAX_TEXT]
        name = clip_name(self.speech.voice(language), text)
        with self._lock:
            if name in self._clips:
                self._clips.move_to_end(name)
                return name
        audio = self.speech.render(text, language)
        with self._lock:
            self._clips[name] = audio
            while len(self._clips) > self.limit:
                self._clips.popitem(last=False)
        return name

    def get(self, name: str) -> bytes | None:
        """A clip this cache rendered; any other name (or a malformed one) is None."""
        if not CLIP_NAME.match(name):
            return None
        with self._lock:
            return self._clips.get(name)
