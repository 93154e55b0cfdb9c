#!/usr/bin/env bash
# Installs what the tests need from Debian when it is missing: PostgreSQL, Chromium, Dovecot (IMAP).
set -euo pipefail
need=()
command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
  || need+=(postgresql)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v dovecot >/dev/null 2>&1 || [[ -x /usr/sbin/dovecot ]] || need+=(dovecot-imapd)
if ((${#need[@]})); then
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
    echo "Please install: ${need[*]}" >&2
    exit 1
  fi
  echo "Installing ${need[*]} ..."
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
