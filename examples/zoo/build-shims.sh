#!/bin/sh
# Builds every zoo shim (examples/zoo/shim.c) into examples/build/zoo/<member>/libssl.so.3, next
# to a libcrypto.so.3 link to the system one, so that `--lib <dir>/libssl.so.3` finds both.
# Prints the directories. Needs a C compiler and the OpenSSL headers (gcc, libssl-dev).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
real=${REAL_LIBSSL:-/usr/lib/x86_64-linux-gnu/libssl.so.3}
crypto=${REAL_LIBCRYPTO:-/usr/lib/x86_64-linux-gnu/libcrypto.so.3}
for member in READD_RETURNS_ONE FLUSH_AT_BOUNDARY CACHE_SIZE_PLUS_ONE MODE_MASKED REMOVE_ONLY_CACHED SET_TIME_RETURNS_ONE; do
  dir="$here/../build/zoo/$(echo "$member" | tr 'A-Z_' 'a-z-')"
  mkdir -p "$dir"
  ${CC:-cc} -O2 -Wall -shared -fPIC -DMEMBER_$member -DREAL_LIBSSL="\"$real\"" \
    -Wl,-soname,libssl-zoo.so -o "$dir/libssl.so.3" "$here/shim.c" -Wl,--no-as-needed "$real" -ldl
  ln -sf "$crypto" "$dir/libcrypto.so.3"
  echo "$dir"
done
