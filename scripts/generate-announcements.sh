#!/usr/bin/env bash
# Regenerate the board's announcement clips (antre/board/static/board/audio/id)
# with espeak-ng's Indonesian voice. Installs espeak-ng and sox when missing
# (Debian); the clips are committed, the app never needs them at run time.
#
#   scripts/generate-announcements.sh                 # every clip, overwriting
#   scripts/generate-announcements.sh --missing-only  # keep your own recordings
#   scripts/generate-announcements.sh --manifest-only # after dropping recordings in
#
# See docs/board.md.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v espeak-ng >/dev/null || ! command -v sox >/dev/null; then
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq espeak-ng sox libsox-fmt-mp3
fi

exec .venv/bin/antre generate_announcements "$@"
