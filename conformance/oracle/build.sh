#!/bin/sh
# Builds the processor oracle into conformance/oracle/build/hvex-oracle (x86-64 Linux, gcc).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/build"
CC=${CC:-gcc}
# No stack protector and no CET: the signal handler runs with the guest's FS base.
$CC -std=gnu11 -O2 -g -Wall -Wextra -fno-stack-protector -fcf-protection=none -fno-strict-aliasing \
    -o "$here/build/hvex-oracle" "$here/oracle.c" "$here/json.c"
echo "built $here/build/hvex-oracle"
