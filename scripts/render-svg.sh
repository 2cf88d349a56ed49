#!/bin/sh
# Renders SVG charts to PNG so they can be looked at (a checking aid, not a dependency).
# Usage: scripts/render-svg.sh chart.svg [more.svg ...]   → chart.png next to each input.
# Needs rsvg-convert (Debian: apt-get install librsvg2-bin) or chromium (headless) on PATH.
set -eu
for svg in "$@"; do
  png="${svg%.svg}.png"
  if command -v rsvg-convert >/dev/null 2>&1; then
    rsvg-convert --background-color=white -o "$png" "$svg"
  elif command -v chromium >/dev/null 2>&1; then
    chromium --headless --disable-gpu --no-sandbox --hide-scrollbars --window-size=1000,700 --screenshot="$png" "file://$(realpath "$svg")" >/dev/null 2>&1
  else
    echo "render-svg: need rsvg-convert (librsvg2-bin) or chromium" >&2
    exit 2
  fi
  echo "$png"
done
