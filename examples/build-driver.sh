#!/bin/sh
# Builds the example C driver (examples/driver.c) against the system libssl:
#   examples/build-driver.sh                 -> examples/build/driver
#   examples/build-driver.sh --planted-bug   -> examples/build/driver-planted-bug (-DPLANTED_BUG)
# Needs a C compiler and the OpenSSL headers (Debian: gcc, libssl-dev). CC overrides the compiler.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/build"
out="$here/build/driver"
flags=""
if [ "${1:-}" = "--planted-bug" ]; then
  out="$here/build/driver-planted-bug"
  flags="-DPLANTED_BUG"
elif [ $# -gt 0 ]; then
  echo "usage: $0 [--planted-bug]" >&2
  exit 2
fi
# shellcheck disable=SC2086 # $flags is empty or one word
${CC:-cc} -O2 -std=c99 -Wall -Wextra -Wpedantic $flags -o "$out" "$here/driver.c" -lssl -lcrypto
echo "$out"
