#!/usr/bin/env bash
# Audit every locked dependency (all groups) for known vulnerabilities with
# pip-audit. Exit 1 on any known vulnerability, or on any package it could not
# audit (--strict).
#
# pip-audit asks PyPI's per-release JSON API (/pypi/<name>/<version>/json).
# Where that API cannot be reached (an offline or mirrored machine: the build
# machines of this project reach only the package index itself), the audit
# cannot tell anything, so it says so loudly and is skipped, unless
# ANTRE_AUDIT=required, which turns that into a failure (set it where the
# network allows, e.g. a release pipeline).
set -euo pipefail
cd "$(dirname "$0")/.."

probe="https://pypi.org/pypi/pip/24.0/json"
if ! curl --silent --fail --max-time 10 --output /dev/null "$probe"; then
	msg="pip-audit: PyPI's vulnerability data ($probe) is not reachable from this machine; dependency audit NOT run"
	if [ "${ANTRE_AUDIT:-}" = "required" ]; then
		echo "$msg (ANTRE_AUDIT=required)" >&2
		exit 1
	fi
	echo "WARNING: $msg" >&2
	exit 0
fi

requirements="$(mktemp)"
trap 'rm -f "$requirements"' EXIT
.tools/bin/uv export --frozen --all-groups --no-emit-project --no-hashes \
	--format requirements-txt --output-file "$requirements" >/dev/null
.venv/bin/pip-audit --strict --disable-pip --no-deps --progress-spinner off \
	--requirement "$requirements"
