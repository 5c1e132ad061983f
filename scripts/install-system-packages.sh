#!/usr/bin/env bash
# Debian packages the project needs: Chromium for the browser tests, Noto CJK fonts for PDF
# notices, poppler-utils (pdftotext) for reading them back in tests, gettext for makemessages.
# Idempotent: installs only what is missing.
set -euo pipefail
PACKAGES=(chromium fonts-noto-cjk poppler-utils gettext)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing Debian packages: ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q || true
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
