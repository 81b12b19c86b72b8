#!/usr/bin/env bash
# Render the README's picture: the report's Overview sheet as of 2026-01-22, as LibreOffice
# draws it (docs/report-overview.png). Needs xlsrc installed, LibreOffice (soffice) and
# poppler-utils (pdftoppm): apt-get install libreoffice-calc poppler-utils.
# Usage: scripts/render_overview.sh [as-of]   (run from the repository's root)
set -euo pipefail
as_of="${1:-2026-01-22}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
xlsrc report --as-of "$as_of" --out "$work/report.xlsx" >/dev/null
# the first page of the PDF is the first sheet (Overview)
soffice --headless -env:UserInstallation=file://"$work/lo" --convert-to pdf \
    --outdir "$work" "$work/report.xlsx" >/dev/null
pdftoppm -r 140 -png -f 1 -l 1 -singlefile "$work/report.pdf" "$work/overview"
cp "$work/overview.png" docs/report-overview.png
echo "Wrote docs/report-overview.png (Overview as of $as_of)"
