#!/usr/bin/env bash
# Regenerates the committed 32-bit and 16-bit extracts of the objdump corpus test
# (dev.hvex.decode.corpus.ObjdumpCorpusTest). The 64-bit corpora are not committed: the test runs
# objdump on the machine's own libc and libjvm.
#
#   i386-libc.txt.gz      code of Debian's libc6:i386 (libc.so.6 .text), objdump -m i386
#   i8086-seabios.txt.gz  the real-mode code of Debian's seabios (bios.bin, vgabios-stdvga.bin), objdump -m i8086
#
# Format (text, gzip): '#' comments; '@ <hex address>' starts a run of contiguous code; then one line per
# instruction as objdump printed it: '<hex bytes><TAB><objdump text>' (comments and <symbol> suffixes
# removed). The expected instruction boundaries are objdump's, a decoder nobody in this project wrote.
#
# Needs: root (apt-get download of an i386 package needs the i386 architecture), apt-get, dpkg-deb,
# objdump (binutils), python3, gzip. Run from anywhere; writes next to this script.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

if ! dpkg --print-foreign-architectures | grep -qx i386; then
    echo "adding the i386 architecture to dpkg (needed to download libc6:i386)" >&2
    dpkg --add-architecture i386
    apt-get update -qq || true
fi
apt-get download libc6:i386 seabios >/dev/null
dpkg-deb -x libc6_*_i386.deb x32
dpkg-deb -x seabios_*_all.deb bios
libc=x32/lib/i386-linux-gnu/libc.so.6
bios=bios/usr/share/seabios/bios.bin
vga=bios/usr/share/seabios/vgabios-stdvga.bin
objver=$(objdump --version | head -1)
libcver=$(dpkg-deb -f libc6_*_i386.deb Version)
biosver=$(dpkg-deb -f seabios_*_all.deb Version)

objdump -d --insn-width=16 -j .text "$libc" > libc32.lst
# SeaBIOS: the 16-bit code sits in the last 36 KiB of the 128 KiB image (below it: 32-bit code and
# data); SeaVGABIOS: the first 20 KiB are 16-bit code (then fonts and data).
objdump -D -b binary -m i8086 --insn-width=16 --start-address=0x17000 --stop-address=0x20000 "$bios" > bios16.lst
objdump -D -b binary -m i8086 --insn-width=16 --start-address=0x0 --stop-address=0x5000 "$vga" > vga16.lst

python3 - "$here" "$objver" "$libcver" "$biosver" <<'PY'
import collections, gzip, re, sys
here, objver, libcver, biosver = sys.argv[1:5]
LINE = re.compile(r'^\s*([0-9a-f]+):\t([0-9a-f]{2}(?: [0-9a-f]{2})*) *(?:\t(.*))?$')

def parse(path, stopped=False):
    """objdump listing -> list of [address, bytes-hex, text]; continuation lines are merged."""
    out = []
    for ln in open(path):
        m = LINE.match(ln.rstrip('\n'))
        if not m:
            continue
        addr, hx, text = int(m.group(1), 16), m.group(2), m.group(3)
        if text is None:
            if out and out[-1][0] + len(out[-1][1].split()) == addr:
                out[-1][1] += ' ' + hx
            continue
        text = re.sub(r'\s*#.*$', '', text)
        text = re.sub(r'\s*<[^>]*>$', '', text)
        text = re.sub(r'\s+', ' ', text).strip()
        out.append([addr, hx, text])
    if stopped:
        out.pop()  # may be cut by --stop-address: objdump shows only the bytes before the stop
    return out

def write(name, header, runs):
    n = 0
    with gzip.open(f'{here}/{name}', 'wt', compresslevel=9) as f:
        for h in header:
            f.write(f'# {h}\n')
        for run in runs:
            prev = None
            for addr, hx, text in run:
                if prev is None or addr != prev:
                    f.write(f'@ {addr:x}\n')
                f.write(f'{hx}\t{text}\n')
                prev = addr + len(hx.split())
                n += 1
    print(f'{name}: {n} instructions')

# 32-bit: 4 KiB windows of libc's .text, chosen greedily for the mnemonics they add, then the densest
# remaining ones until 192 KiB of code.
ins = parse('libc32.lst')
W, BUDGET = 4096, 192 * 1024
win = collections.defaultdict(list)
for r in ins:
    win[r[0] // W].append(r)
mn = {w: {r[2].split()[0] if r[2] else '?' for r in rs} for w, rs in win.items()}
chosen, seen = [], set()
while len(chosen) * W < BUDGET:
    best = max((w for w in win if w not in chosen), key=lambda w: (len(mn[w] - seen), len(mn[w]), -w))
    chosen.append(best)
    seen |= mn[best]
runs = [[r for w in sorted(chosen) for r in win[w]]]
write('i386-libc.txt.gz', [
    'objdump corpus, 32-bit: Debian libc6:i386 ' + libcver + ', libc.so.6 .text, 48 windows of 4 KiB',
    'expected boundaries: ' + objver + ': objdump -d --insn-width=16 -m i386 (the ELF says i386)',
    'made by make-corpus.sh; decode with CpuMode.PROT32'], runs)

write('i8086-seabios.txt.gz', [
    'objdump corpus, 16-bit: Debian seabios ' + biosver + ': bios.bin 0x17000-0x1ffff, vgabios-stdvga.bin 0x0-0x4fff',
    'expected boundaries: ' + objver + ': objdump -D -b binary -m i8086 --insn-width=16',
    'made by make-corpus.sh; decode with CpuMode.REAL16 (addresses of the second image are offset by 0x100000)'],
    [parse('bios16.lst', True), [[a + 0x100000, h, t] for a, h, t in parse('vga16.lst', True)]])
PY
ls -l "$here"/*.gz
