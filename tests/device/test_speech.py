"""The audio ballot's clips: produced for a step, naming the right candidate, and not silent.

The clip for a typed code must be espeak-ng's rendering of that candidate's name from the
signed manifest (espeak-ng is deterministic), another candidate's clip must differ, and
sox must measure the audio as sound, not silence.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from entekhab.device.adapters.speech import EspeakSpeech, SpeechUnavailable
from entekhab.device.kiosk import Kiosk
from entekhab.domain.errors import DomainError
from tests.device.fake_hq import NOW, FakeHQ, branch_devices

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None or shutil.which("sox") is None,
                                reason="espeak-ng and sox are installed by scripts/install-system.sh (make test)")
SPEECH = EspeakSpeech()


@pytest.fixture
def kiosk(tmp_path):
    devices = branch_devices(tmp_path, FakeHQ())
    devices.open(now=NOW, mock=lambda m: [{c.code: [] for c in m.contests}])
    return devices, Kiosk(devices, report_dir=tmp_path / "reports", clock=lambda: NOW, speech=SPEECH)


def candidates(devices, n: int = 2):
    contest = devices.box.manifest.contests[0]
    found = [e for e in contest.directory.values() if e.kind == "candidate"][:n]
    assert len(found) == n
    return contest, found


def rms(wav: bytes, tmp_path) -> float:
    path = tmp_path / "clip.wav"
    path.write_bytes(wav)
    stat = subprocess.run(["sox", str(path), "-n", "stat"], capture_output=True, text=True, check=True).stderr
    return float(re.search(r"RMS\s+amplitude:\s+([0-9.]+)", stat).group(1))


def test_a_typed_code_is_spoken_as_its_candidates_name_and_is_not_silent(kiosk, tmp_path):
    devices, k = kiosk
    contest, (first, second) = candidates(devices)
    heard = []
    for entry in (first, second):
        answer = k.ebox_audio({"step": "code", "contest": contest.code, "codes": [entry.code]})
        assert answer["speech"] is True
        clip = answer["clips"][0]
        assert clip["text"] == entry.name_fa
        wav, ctype = k.audio_clip(clip["url"].rsplit("/", 1)[1])
        assert ctype.startswith("audio/") and wav[:4] == b"RIFF"
        assert wav == SPEECH.render(entry.name_fa, "fa")  # the right name, rendered afresh
        assert rms(wav, tmp_path) > 0.01
        heard.append(wav)
    assert heard[0] != heard[1]


def test_the_review_names_every_choice_and_the_contest(kiosk):
    devices, k = kiosk
    contest, chosen = candidates(devices)
    ballot = {c.code: [] for c in devices.box.manifest.contests}
    ballot[contest.code] = [e.code for e in chosen]
    texts = [c["text"] for c in k.ebox_audio({"step": "review", "ballot": ballot})["clips"]]
    assert contest.name_fa in texts
    assert all(e.name_fa in texts for e in chosen)
    assert all(c["url"].startswith("/audio/") for c in k.ebox_audio({"step": "review", "ballot": ballot})["clips"])


def test_unknown_steps_and_names_are_refused_and_no_clip_is_served_for_a_made_up_name(kiosk):
    _, k = kiosk
    with pytest.raises(DomainError) as refused:
        k.ebox_audio({"step": "../../etc/passwd"})
    assert refused.value.code == "unknown_step"
    assert k.audio_clip("0" * 64) is None
    assert k.audio_clip("../kiosk.js") is None


def test_a_missing_engine_still_gives_the_texts(kiosk, tmp_path):
    devices, _ = kiosk
    mute = Kiosk(devices, report_dir=tmp_path / "r2", clock=lambda: NOW, speech=EspeakSpeech(binary="no-such-espeak"))
    contest, (first, _) = candidates(devices)
    answer = mute.ebox_audio({"step": "code", "contest": contest.code, "codes": [first.code]})
    assert answer["speech"] is False and answer["clips"][0]["text"] == first.name_fa
    with pytest.raises(SpeechUnavailable):
        EspeakSpeech(binary="no-such-espeak").render("x", "fa")
