"""What the audio ballot says at each step, and the clips that say it.

The accessible e-box page (``static/accessible.js``) asks for a step's clips: the
instructions, a contest's introduction, the name behind the code just typed, the review,
the confirmation, the inactivity warning. The words are Persian from the catalogue and
the names come from the signed manifest the e-box holds, resolved exactly as the screen
resolves them (:meth:`BallotBox.check_contest`), so the voter hears what a sighted voter
reads. Each answer gives the texts too: the page puts them in an ``aria-live`` region,
and if the speech engine is missing the voter's own screen reader still has them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from entekhab.device.adapters.speech import ClipCache, SpeechUnavailable
from entekhab.device.ballot_box import BallotBox
from entekhab.device.errors import DeviceError
from entekhab.domain.digits import to_persian_digits
from entekhab.i18n import render

LANGUAGE = "fa"
MAX_SPOKEN_CODE = 12  # digits; a longer "code" is read as "not a code", never spelled out
STEPS = ("start", "contest", "code", "choices", "review", "done", "warning", "extended")


def spoken_code(code: str) -> str:
    """A code read digit by digit (in Persian digits, spaced), which is how a voter checks what they typed."""
    return " ".join(to_persian_digits(d) for d in code)


def _say(msgid: str, **params: Any) -> str:
    return render(msgid, params, LANGUAGE)


class BallotAudio:
    """Builds each step's texts and renders them through a :class:`ClipCache`."""

    def __init__(self, box: Callable[[], BallotBox], clips: ClipCache) -> None:
        self.box, self.clips = box, clips

    def step(self, body: dict[str, Any]) -> dict[str, Any]:
        step = str(body.get("step", ""))
        if step not in STEPS:
            raise DeviceError("unknown audio step %(step)s", params={"step": repr(step)}, code="unknown_step")
        texts = getattr(self, f"_{step}")(body)
        clips, speech = [], True
        for text in texts:
            url = ""
            if speech:
                try:
                    url = f"/audio/{self.clips.clip(text, LANGUAGE)}"
                except SpeechUnavailable:
                    speech = False  # the texts still go to the page's live region
            clips.append({"text": text, "url": url})
        return {"step": step, "clips": clips, "speech": speech}

    # -- the steps ---------------------------------------------------------------------------
    def _start(self, _: dict[str, Any]) -> list[str]:
        return [_say("Audio ballot. Type a code on the keypad and press Enter to hear its name. "
                     "Press Enter again on an empty code to go to the next contest. "
                     "Star repeats, minus goes back, plus goes to the review.")]

    def _contest(self, body: dict[str, Any]) -> list[str]:
        contest = self.box().manifest.contest(str(body.get("contest", "")))
        return [_say("%(contest)s. You may vote for up to %(n)s: type candidate codes, or one list code.",
                     contest=contest.name_fa, n=to_persian_digits(contest.max_votes))]

    def _code(self, body: dict[str, Any]) -> list[str]:
        codes = _codes(body.get("codes"))
        answer = self.box().check_contest(str(body.get("contest", "")), codes)
        if not answer["codes"]:
            return [_say("No choice: a blank vote in this contest.")]
        texts = [self._name(answer["codes"][-1])]
        if not answer["ok"]:
            texts.append(answer["message_fa"])
        return texts

    def _choices(self, body: dict[str, Any]) -> list[str]:
        """One contest's choices so far: its name, then each code's name (or blank), then any problem."""
        return self._contest_choices(str(body.get("contest", "")), _codes(body.get("codes")))[0]

    def _contest_choices(self, contest_code: str, codes: list[str]) -> tuple[list[str], bool]:
        contest = self.box().manifest.contest(contest_code)
        answer = self.box().check_contest(contest.code, codes)
        texts = [contest.name_fa]
        if answer["blank"]:
            texts.append(_say("No choice: a blank vote in this contest."))
        else:
            texts.extend(self._name(entry) for entry in answer["codes"])
        if not answer["ok"]:
            texts.append(answer["message_fa"])
        return texts, bool(answer["ok"])

    def _review(self, body: dict[str, Any]) -> list[str]:
        ballot = body.get("ballot")
        if not isinstance(ballot, dict):
            raise DeviceError("ballot must be an object", code="malformed_codes")
        texts = [_say("Review of your vote.")]
        all_ok = True
        for contest in self.box().manifest.contests:
            said, ok = self._contest_choices(contest.code, _codes(ballot.get(contest.code, [])))
            texts.extend(said)
            all_ok = all_ok and ok
        texts.append(_say("To cast your vote press Enter; to correct it press minus.") if all_ok
                     else _say("This ballot cannot be cast yet: press minus to correct it."))
        return texts

    def _done(self, _: dict[str, Any]) -> list[str]:
        return [_say("Your vote is recorded. Please return the card. Thank you.")]

    def _warning(self, _: dict[str, Any]) -> list[str]:
        return [_say("Are you still there? Press any key for more time.")]

    def _extended(self, _: dict[str, Any]) -> list[str]:
        return [_say("More time given.")]

    @staticmethod
    def _name(entry: dict[str, Any]) -> str:
        """What is said for one typed code: the candidate's name, the list's title, or a refusal."""
        code = str(entry.get("code", ""))
        if not entry.get("known"):
            if not code.isascii() or not code.isdigit() or len(code) > MAX_SPOKEN_CODE:
                return _say("That is not a code: type digits only.")
            return _say("Code %(code)s is not on this ballot.", code=spoken_code(code))
        if entry.get("kind") == "list":
            return _say("List %(name)s, with %(members)s candidates.", name=entry["name_fa"],
                        members=to_persian_digits(entry.get("members", "")))
        return str(entry["name_fa"])


def _codes(raw: object) -> list[str]:
    if not isinstance(raw, list):
        raise DeviceError("codes must be a list", code="malformed_codes")
    return [str(c) for c in raw]
