#!/bin/sh
# Runs the community-node lint of @n8n/node-cli (`n8n-node lint`, strict mode) against this
# package. The CLI is installed on demand into a cache outside the repository (it needs about 600
# packages and installs on Node 20 only with --ignore-scripts), then reused.
#
# The lint runs in a staging folder holding what the package publishes from: package.json,
# nodes/, credentials/, the tsconfig, and n8n's default eslint.config.mjs (strict mode requires it
# unchanged). It does not run in place because ESLint 10 looks up eslint.config.* per file, and an
# eslint.config.mjs in n8n-nodes/ would take over the repository's own `eslint .` there.
# Sibling links (../connectors, ../tsconfig.base.json, ../node_modules) keep relative imports
# resolving exactly as in the repository.
set -eu

CLI_VERSION=0.48.3
HERE=$(cd "$(dirname "$0")/.." && pwd)
REPO=$(cd "$HERE/.." && pwd)
CACHE_ROOT=${THREADLINE_PLATFORM_CACHE:-"$HOME/.cache/threadline-platforms"}
CLI_DIR="$CACHE_ROOT/n8n-node-cli-$CLI_VERSION"
MARKER="$CLI_DIR/.threadline-install-complete"

if [ ! -f "$MARKER" ]; then
  echo "installing @n8n/node-cli@$CLI_VERSION into $CLI_DIR (once; about a minute)" >&2
  rm -rf "$CLI_DIR"
  mkdir -p "$CLI_DIR"
  printf '{ "name": "threadline-n8n-node-cli", "private": true }\n' > "$CLI_DIR/package.json"
  (cd "$CLI_DIR" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error "@n8n/node-cli@$CLI_VERSION" >&2)
  touch "$MARKER"
fi

STAGE_PARENT=$(mktemp -d -t threadline-n8n-lint-XXXXXX)
trap 'rm -rf "$STAGE_PARENT"' EXIT INT TERM
STAGE="$STAGE_PARENT/n8n-nodes"
mkdir -p "$STAGE/node_modules"
cp "$HERE/package.json" "$HERE/tsconfig.json" "$STAGE/"
cp -R "$HERE/nodes" "$HERE/credentials" "$STAGE/"
cp "$CLI_DIR/node_modules/@n8n/node-cli/dist/template/templates/shared/default/eslint.config.mjs" "$STAGE/eslint.config.mjs"
ln -s "$REPO/connectors" "$STAGE_PARENT/connectors"
ln -s "$REPO/tsconfig.base.json" "$STAGE_PARENT/tsconfig.base.json"
ln -s "$REPO/node_modules" "$STAGE_PARENT/node_modules"
# The CLI and its eslint first, then the repository's packages (n8n-workflow) one level up.
for entry in "$CLI_DIR/node_modules/"* "$CLI_DIR/node_modules/".bin; do
  ln -s "$entry" "$STAGE/node_modules/$(basename "$entry")"
done

(cd "$STAGE" && node "$CLI_DIR/node_modules/@n8n/node-cli/bin/n8n-node.mjs" lint "$@")

# The lint above reads the sources. What n8n loads is the bundle, with connectors and OpenTelemetry
# inside: check it with the plugin's own rule against globals n8n refuses (process, globalThis,
# timers, __dirname, ...). Its import rule is not run on the bundle: the bundle requires node:net
# (connectors' IP address checks), which that rule does not allow (see README).
BUNDLE="$STAGE_PARENT/bundle"
node "$HERE/scripts/build.js" "$BUNDLE" > /dev/null
PLUGIN="$CLI_DIR/node_modules/@n8n/eslint-plugin-community-nodes/dist/plugin.js"
cat > "$BUNDLE/eslint.config.mjs" <<CONFIG
import plugin from '$PLUGIN';
export default [{
  files: ['**/*.js'],
  languageOptions: { sourceType: 'commonjs', ecmaVersion: 2022 },
  plugins: { '@n8n/community-nodes': plugin },
  rules: { '@n8n/community-nodes/no-restricted-globals': 'error' },
}];
CONFIG
(cd "$BUNDLE" && "$CLI_DIR/node_modules/.bin/eslint" --no-config-lookup -c eslint.config.mjs nodes credentials)
echo "bundle: no restricted globals in dist/nodes and dist/credentials"
