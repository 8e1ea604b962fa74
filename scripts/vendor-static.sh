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
#
# barcode-detector (the kiosk's camera scanning) is its IIFE "ponyfill" build,
# which defines window.BarcodeDetectionAPI with BarcodeDetector and
# prepareZXingModule, plus the ZXing reader WebAssembly of the zxing-wasm
# version that build was made for: the kiosk points prepareZXingModule's
# locateFile at our copy, so no page ever loads the package's CDN default.
#
# chart.js (the back office's report charts) is its UMD build, which bundles
# its one dependency (@kurkle/color) and defines window.Chart.
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

rm -rf "$static/pico" "$static/htmx" "$static/barcode-detector" "$static/chartjs" "$testing"

copy @picocss/pico/css/pico.min.css "$static/pico/pico.min.css"
copy @picocss/pico/LICENSE.md "$static/pico/LICENSE.md"
copy htmx.org/dist/htmx.min.js "$static/htmx/htmx.min.js"
copy htmx.org/LICENSE "$static/htmx/LICENSE"
copy barcode-detector/dist/iife/ponyfill.js "$static/barcode-detector/barcode-detector.js"
copy barcode-detector/LICENSE "$static/barcode-detector/LICENSE"
copy zxing-wasm/dist/reader/zxing_reader.wasm "$static/barcode-detector/zxing_reader.wasm"
copy zxing-wasm/LICENSE "$static/barcode-detector/LICENSE.zxing-wasm"
# The build names the zxing-wasm version whose .wasm it can load: refuse a mismatch.
wasm_version=$(version zxing-wasm)
if ! grep -q "zxing-wasm@$wasm_version/" "$static/barcode-detector/barcode-detector.js"; then
    echo "barcode-detector expects another zxing-wasm than $wasm_version: run 'npm ci'." >&2
    exit 1
fi
copy chart.js/dist/chart.umd.min.js "$static/chartjs/chart.umd.min.js"
copy chart.js/LICENSE.md "$static/chartjs/LICENSE.md"
# The map is not shipped; without this line collectstatic's manifest storage
# fails on the dangling reference.
sed -i '/sourceMappingURL=/d' "$static/chartjs/chart.umd.min.js"
copy axe-core/axe.min.js "$testing/axe.min.js"
copy axe-core/LICENSE "$testing/LICENSE"

{
    echo "Vendored by scripts/vendor-static.sh from npm; do not edit by hand."
    echo "@picocss/pico $(version @picocss/pico)"
    echo "htmx.org $(version htmx.org)"
    echo "barcode-detector $(version barcode-detector) (IIFE ponyfill)"
    echo "zxing-wasm $(version zxing-wasm) (reader .wasm)"
    echo "chart.js $(version chart.js) (UMD)"
} > "$static/VERSIONS.txt"
echo "Vendored by scripts/vendor-static.sh from npm; do not edit by hand." > "$testing/VERSIONS.txt"
echo "axe-core $(version axe-core)" >> "$testing/VERSIONS.txt"

echo "vendored into $static and $testing"
