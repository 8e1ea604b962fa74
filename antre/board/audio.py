"""The board's announcement clips on disk: where they are, which file plays
each clip, and how the generator makes them with espeak-ng and sox.

The clips are committed static files; the app never runs espeak-ng. The
manifest (``manifest.json`` beside the clips) maps each clip name to its file
and to the words it says, so that an MPP may replace a generated clip with a
recording of its own (``.mp3``, ``.ogg``, ``.opus``, ``.m4a`` or ``.wav``) and
rewrite the manifest with ``antre generate_announcements --manifest-only``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from antre.board.announcements import CHIME, SILENCE, clip_texts

AUDIO_DIR = Path(__file__).resolve().parent / "static" / "board" / "audio" / "id"
MANIFEST_NAME = "manifest.json"
# The static path of the manifest (the page gives it to board.js).
MANIFEST_STATIC_PATH = "board/audio/id/manifest.json"

# The order in which a clip's file is looked for: a generated .mp3 first,
# else a recording in another format the browsers play.
AUDIO_EXTENSIONS = (".mp3", ".ogg", ".opus", ".m4a", ".wav")

TONES = {
    CHIME: "a two-note chime (ding-dong)",
    SILENCE: "0.2 s of silence (unlocks the sound on load)",
}


@dataclass(frozen=True)
class Voice:
    """How the generator speaks: espeak-ng's voice and words per minute, and
    the clip format (mono, ``rate`` Hz; mp3 at ``bitrate`` kbit/s)."""

    name: str = "id"
    speed: int = 135
    pitch: int = 45
    rate: int = 22050
    extension: str = ".mp3"
    bitrate: int = 40


def all_clips() -> dict[str, str]:
    """Every clip and what it is: the spoken ones' words, then the tones."""
    return {**clip_texts(), **TONES}


def existing_file(directory: Path, clip: str) -> Path | None:
    for extension in AUDIO_EXTENSIONS:
        candidate = directory / f"{clip}{extension}"
        if candidate.is_file():
            return candidate
    return None


def build_manifest(directory: Path) -> dict[str, Any]:
    """The manifest of what is on disk now: each clip with a file, its path
    relative to the manifest, and its text. A clip without a file is left
    out (the board skips it: a missing counter number is not fatal)."""
    clips: dict[str, dict[str, str]] = {}
    for clip, text in all_clips().items():
        found = existing_file(directory, clip)
        if found is not None:
            clips[clip] = {"file": found.relative_to(directory).as_posix(), "text": text}
    return {"language": "id", "clips": clips}


def write_manifest(directory: Path) -> dict[str, Any]:
    manifest = build_manifest(directory)
    (directory / MANIFEST_NAME).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return manifest


class ToolMissing(RuntimeError):
    pass


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise ToolMissing(
            f"{name} is not installed: apt-get install -y espeak-ng sox libsox-fmt-mp3"
        )
    return path


def _encoding(voice: Voice) -> list[str]:
    # sox's -C is the mp3 bit rate in kbit/s, or the Ogg Vorbis quality.
    if voice.extension == ".mp3":
        return ["-C", str(voice.bitrate)]
    if voice.extension == ".ogg":
        return ["-C", "3"]
    return []


def _run(arguments: list[str]) -> None:
    subprocess.run(arguments, check=True, capture_output=True)  # noqa: S603


def speak_to_file(text: str, target: Path, voice: Voice) -> None:
    """Say ``text`` with espeak-ng into ``target``: mono, resampled, the
    silence at both ends trimmed so that clips played in a row flow."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        raw = Path(scratch) / "raw.wav"
        _run(
            [
                _tool("espeak-ng"),
                "-v",
                voice.name,
                "-s",
                str(voice.speed),
                "-p",
                str(voice.pitch),
                "-w",
                str(raw),
                text,
            ]
        )
        _run(
            [
                _tool("sox"),
                str(raw),
                "-r",
                str(voice.rate),
                "-c",
                "1",
                *_encoding(voice),
                str(target),
                "silence",
                "1",
                "0.02",
                "0.5%",
                "reverse",
                "silence",
                "1",
                "0.02",
                "0.5%",
                "reverse",
                "pad",
                "0",
                "0.06",
            ]
        )


def tone_to_file(clip: str, target: Path, voice: Voice) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    common = ["-r", str(voice.rate), "-c", "1", *_encoding(voice), str(target)]
    if clip == CHIME:
        # Two soft notes, E6 then C6, each fading out like a bell; the
        # gain keeps them below the voice.
        _run(
            [
                _tool("sox"),
                "-n",
                *common,
                "synth",
                "0.45",
                "sine",
                "1318.5",
                "fade",
                "q",
                "0.005",
                "0.45",
                "0.4",
                "gain",
                "-8",
                ":",
                "synth",
                "0.9",
                "sine",
                "1046.5",
                "fade",
                "q",
                "0.005",
                "0.9",
                "0.85",
                "gain",
                "-8",
            ]
        )
    else:
        _run([_tool("sox"), "-n", *common, "trim", "0", "0.2"])


def generate(
    directory: Path, voice: Voice, *, missing_only: bool = False
) -> tuple[list[str], dict[str, Any]]:
    """Make the clips (all, or only those without a file) and rewrite the
    manifest. Returns the clips made and the manifest."""
    made = []
    for clip, text in all_clips().items():
        if missing_only and existing_file(directory, clip) is not None:
            continue
        target = directory / f"{clip}{voice.extension}"
        if clip in TONES:
            tone_to_file(clip, target, voice)
        else:
            speak_to_file(text, target, voice)
        made.append(clip)
    return made, write_manifest(directory)
