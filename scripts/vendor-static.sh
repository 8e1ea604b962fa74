#!/bin/sh
# Copy the pinned front-end packages from node_modules into the tree.
#
# The copies are committed: running antre (`make run`) needs neither npm nor
# the network, and no page loads anything from a CDN. Refresh them after
# changing a version in package.json:
#
#     npm ci --ignore-scripts && sh scripts/vendor-static.sh
#
# axe-core is used only by the browser tests, so it goes under antre/testing/
# and is never served by the application.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
modules="$root/node_modules"
static="$root/antre/static/vendor"
testing="$root/antre/testing/vendor"

if [ ! -d "$modules" ]; then
    echo "node_modules/ is missing: run 'npm ci --ignore-scripts' first." >&2
    exit 1
fi

version() {
    node -p "require('$modules/$1/package.json').version"
}

copy() {
    # copy SOURCE DESTINATION, creating the destination's folder
    mkdir -p "$(dirname "$2")"
    cp "$modules/$1" "$2"
}

rm -rf "$static/pico" "$static/htmx" "$testing"

copy @picocss/pico/css/pico.min.css "$static/pico/pico.min.css"
copy @picocss/pico/LICENSE.md "$static/pico/LICENSE.md"
copy htmx.org/dist/htmx.min.js "$static/htmx/htmx.min.js"
copy htmx.org/LICENSE "$static/htmx/LICENSE"
copy axe-core/axe.min.js "$testing/axe.min.js"
copy axe-core/LICENSE "$testing/LICENSE"

{
    echo "Vendored by scripts/vendor-static.sh from npm; do not edit by hand."
    echo "@picocss/pico $(version @picocss/pico)"
    echo "htmx.org $(version htmx.org)"
} > "$static/VERSIONS.txt"
echo "Vendored by scripts/vendor-static.sh from npm; do not edit by hand." > "$testing/VERSIONS.txt"
echo "axe-core $(version axe-core)" >> "$testing/VERSIONS.txt"

echo "vendored into $static and $testing"
