#!/usr/bin/env bash
# Re-fetch the vendored front-end files from the npm registry at the versions pinned in package.json.
# The copies are committed: CI and `./dev run` never need npm. Run this only to change a version.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

version() {
  node -e "const p = require('$here/package.json'); process.stdout.write((p.dependencies || {})['$1'] || p.devDependencies['$1'])"
}

fetch() {  # fetch NAME: unpack the pinned tarball into $work/NAME
  local name="$1" tarball
  tarball=$(cd "$work" && npm pack --silent "$name@$(version "$name")")
  mkdir -p "$work/$name" && tar -xzf "$work/$tarball" -C "$work/$name" --strip-components=1
}

copy() {  # copy NAME TARGET FILE...: copy files of a package into vendor/TARGET
  local name="$1" target="$here/$2"; shift 2
  rm -rf "$target" && mkdir -p "$target"
  for file in "$@"; do cp "$work/$name/$file" "$target/"; done
}

fetch bootstrap
copy bootstrap bootstrap dist/css/bootstrap.min.css dist/css/bootstrap.min.css.map \
  dist/js/bootstrap.bundle.min.js dist/js/bootstrap.bundle.min.js.map LICENSE
fetch htmx.org
copy htmx.org htmx dist/htmx.min.js LICENSE
fetch svg-pan-zoom
copy svg-pan-zoom svg-pan-zoom dist/svg-pan-zoom.min.js LICENSE
fetch bpmn-js  # the studio's modeler; its bpmn.io watermark stays visible (licence terms)
copy bpmn-js bpmn-js dist/bpmn-modeler.production.min.js dist/assets/diagram-js.css dist/assets/bpmn-js.css LICENSE
copy bpmn-js bpmn-js/bpmn-font/css dist/assets/bpmn-font/css/bpmn.css
copy bpmn-js bpmn-js/bpmn-font/font dist/assets/bpmn-font/font/bpmn.woff2 dist/assets/bpmn-font/font/bpmn.woff
fetch dmn-js  # the studio's decision-table editor
copy dmn-js dmn-js dist/dmn-modeler.production.min.js dist/assets/diagram-js.css dist/assets/dmn-js-shared.css \
  dist/assets/dmn-js-drd.css dist/assets/dmn-js-decision-table.css dist/assets/dmn-js-decision-table-controls.css \
  dist/assets/dmn-js-literal-expression.css dist/assets/dmn-js-boxed-expression.css \
  dist/assets/dmn-js-boxed-expression-controls.css LICENSE
copy dmn-js dmn-js/dmn-font/css dist/assets/dmn-font/css/dmn.css
copy dmn-js dmn-js/dmn-font/font dist/assets/dmn-font/font/dmn.woff2 dist/assets/dmn-font/font/dmn.woff
fetch axe-core  # test-only: the accessibility test injects it; never served
tests="$here/../../../tests/web/vendor/axe-core"
rm -rf "$tests" && mkdir -p "$tests" && cp "$work/axe-core/axe.min.js" "$work/axe-core/LICENSE" "$tests/"
echo "vendored: bootstrap $(version bootstrap), htmx.org $(version htmx.org), svg-pan-zoom $(version svg-pan-zoom)," \
  "bpmn-js $(version bpmn-js), dmn-js $(version dmn-js), axe-core $(version axe-core) (tests)"
