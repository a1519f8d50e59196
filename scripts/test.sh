#!/usr/bin/env bash
# npm test: installs what the tests need and the machine lacks, then runs the whole suite.
set -u
cd "$(dirname "$0")/.."

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test: installing ${need[*]} with apt-get"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}") >/tmp/switchboard-apt.log 2>&1 || {
      echo "test: apt-get install ${need[*]} failed; see /tmp/switchboard-apt.log"; exit 1; }
  else
    echo "test: missing ${need[*]}: install them (Debian: apt-get install ${need[*]}) and run npm test again"
    exit 1
  fi
fi
[ -f public/vendor/htmx.min.js ] || node scripts/vendor.mjs || exit 1

exec npx vitest run "$@"
