#!/bin/sh
# Builds the KVM oracle into conformance/oracle/kvm/build/hvex-kvm-oracle (x86-64 Linux, gcc, <linux/kvm.h>).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/build"
CC=${CC:-gcc}
$CC -std=gnu11 -O2 -g -Wall -Wextra -fno-strict-aliasing \
    -o "$here/build/hvex-kvm-oracle" "$here/kvm-oracle.c" "$here/../json.c"
echo "built $here/build/hvex-kvm-oracle"
