"""``antre generate_announcements``: make the board's announcement clips with
espeak-ng's Indonesian voice and sox, and write their manifest.

Needs ``apt-get install -y espeak-ng sox libsox-fmt-mp3`` once; the clips are
committed, so the app never needs espeak-ng at run time. ``--missing-only``
keeps every clip that already has a file (an MPP's own recordings);
``--manifest-only`` only rescans the files (after dropping recordings in).
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from antre.board.audio import AUDIO_DIR, ToolMissing, Voice, all_clips, generate, write_manifest


class Command(BaseCommand):
    help = "Generate the board's announcement clips (espeak-ng 'id' voice) and their manifest."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--output", type=Path, default=AUDIO_DIR, help=f"Directory (default {AUDIO_DIR})."
        )
        parser.add_argument(
            "--missing-only",
            action="store_true",
            help="Only make clips that have no file yet; keeps recordings dropped in.",
        )
        parser.add_argument(
            "--manifest-only",
            action="store_true",
            help="Make no clip; rewrite manifest.json from the files present.",
        )
        parser.add_argument("--voice", default=Voice.name, help="espeak-ng voice (default id).")
        parser.add_argument("--speed", type=int, default=Voice.speed, help="Words per minute.")
        parser.add_argument(
            "--format", choices=("mp3", "ogg", "wav"), default="mp3", help="Clip format."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["output"]
        directory.mkdir(parents=True, exist_ok=True)
        if options["manifest_only"]:
            manifest = write_manifest(directory)
            self._report(directory, [], manifest)
            return
        voice = Voice(
            name=options["voice"], speed=options["speed"], extension=f".{options['format']}"
        )
        try:
            made, manifest = generate(directory, voice, missing_only=options["missing_only"])
        except ToolMissing as missing:
            raise CommandError(str(missing)) from None
        self._report(directory, made, manifest)

    def _report(self, directory: Path, made: list[str], manifest: dict[str, Any]) -> None:
        missing = sorted(set(all_clips()) - set(manifest["clips"]))
        size = sum(path.stat().st_size for path in directory.rglob("*") if path.is_file())
        self.stdout.write(
            f"{len(made)} clips made, {len(manifest['clips'])} in the manifest, "
            f"{size / 1024:.0f} KiB in {directory}"
        )
        if missing:
            self.stderr.write(f"No file for: {', '.join(missing)}")
