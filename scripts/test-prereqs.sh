#!/usr/bin/env bash
# What `make test` needs beyond Python, fetched before the suite runs:
#   - Chromium for the browser tests: CHROMIUM_PATH, else Debian's /usr/bin/chromium (package chromium);
#   - redis-server for the rate limiter's Redis tests, unless REDIS_URL names a Redis (tests/conftest.py
#     `redis_url` then starts a private one on a free loopback port and stops it at the end).
# Missing packages are installed with apt-get when run as root or with passwordless sudo; otherwise one line
# says what to install and the run stops (the tests themselves fail, never skip, without them).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'make test: %s\n' "$*" >&2; }
have() { local path; path="$(command -v "$1" 2>/dev/null)" && [[ -x "$path" ]]; }

# REDIS_URL from the environment or, as config/settings.py reads it, from .env.
redis_url="${REDIS_URL:-}"
if [[ -z "$redis_url" && -f .env ]]; then
  redis_url="$(sed -n 's/^[[:space:]]*REDIS_URL[[:space:]]*=[[:space:]]*//p' .env | tail -n 1 | tr -d "\"'")"
fi

if [[ -n "${CHROMIUM_PATH:-}" && ! -x "$CHROMIUM_PATH" ]]; then
  say "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable: point it at Chromium, or unset it to use Debian's /usr/bin/chromium."
  exit 1
fi

missing=() why=()
if [[ -z "${CHROMIUM_PATH:-}" && ! -x /usr/bin/chromium ]]; then
  missing+=(chromium) why+=("Chromium for the browser tests")
fi
if [[ -z "$redis_url" ]] && ! have redis-server; then
  missing+=(redis-server) why+=("redis-server for the rate limiter's Redis tests, as REDIS_URL is unset")
fi
[[ ${#missing[@]} -eq 0 ]] && exit 0
needs="$(IFS=';'; printf '%s' "${why[*]}" | sed 's/;/ and /g')"

sudo=()
if [[ $(id -u) -ne 0 ]] && have sudo && sudo -n true 2>/dev/null; then
  sudo=(sudo)
fi
if ! have apt-get || [[ $(id -u) -ne 0 && ${#sudo[@]} -eq 0 ]]; then
  say "needs $needs: run 'sudo apt-get install ${missing[*]}' (this run has no root, passwordless sudo or apt-get to do it), then make test again."
  exit 1
fi

say "needs $needs: installing ${missing[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
for package in "${missing[@]}"; do
  binary="/usr/bin/$package"
  [[ -x "$binary" ]] || { say "apt-get install $package did not bring $binary"; exit 1; }
done
