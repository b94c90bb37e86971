#!/usr/bin/env python3
"""Compares KVM-oracle output with recorded expectations: status, fault, registers (RFLAGS under the
reference's flagsMask), memory and device accesses (in order).

usage: compare.py REFERENCE.jsonl ORACLE-OUTPUT.jsonl
"""
import collections
import json
import sys


def h(x):
    return int(x, 16) if isinstance(x, str) else x


def reg_value(case, ex, k):
    if k in ex.get('regs', {}):
        v = ex['regs'][k]
        return v if isinstance(v, dict) else h(v)
    v = case['regs'].get(k)
    if isinstance(v, dict):
        return v
    return h(v) if v is not None else (2 if k == 'rflags' else 0)


def compare(ref, out):
    e, o = ref['expect'], out['expect']
    diffs = []
    if e['status'] != o['status']:
        diffs.append('status %s vs %s' % (e['status'], o['status']))
    if e['status'] == 'fault' and o['status'] == 'fault':
        ef, of = e.get('fault', {}), o.get('fault', {})
        for k in ('vector', 'error', 'cr2'):
            a, b = ef.get(k), of.get(k)
            if (a is None) != (b is None) or (a is not None and h(a) != h(b)):
                diffs.append('fault.%s %s vs %s' % (k, a, b))
    mask = h(e.get('flagsMask', '0x3f7fd7'))
    for k in sorted(set(e.get('regs', {})) | set(o.get('regs', {}))):
        a, b = reg_value(ref, e, k), reg_value(ref, o, k)
        if k == 'rflags':
            if (a ^ b) & mask:
                diffs.append('rflags %#x vs %#x (mask %#x)' % (a, b, mask))
        elif isinstance(a, dict) or isinstance(b, dict):
            if a != b:
                diffs.append('%s %s vs %s' % (k, a, b))
        elif a != b:
            diffs.append('%s %#x vs %#x' % (k, a, b))
    em = {h(m['gpa']): m['hex'] for m in e.get('mem', [])}
    om = {h(m['gpa']): m['hex'] for m in o.get('mem', [])}
    for g in sorted(set(em) | set(om)):
        if em.get(g) != om.get(g):
            diffs.append('mem %#x %s vs %s' % (g, em.get(g), om.get(g)))
    if 'accesses' in e:
        norm = lambda l: [(x['space'], x['dir'], h(x['addr']), x['size'], h(x['data'])) for x in l]
        ea, oa = norm(e['accesses']), norm(o.get('accesses', []))
        if ea != oa:
            diffs.append('accesses %s vs %s' % (ea, oa))
    return diffs


def main():
    refs = {}
    for line in open(sys.argv[1]):
        if line.strip():
            d = json.loads(line)
            refs[d['id']] = d
    outs = {}
    for line in open(sys.argv[2]):
        if line.strip():
            d = json.loads(line)
            if 'expect' in d:
                outs[d['id']] = d
    per = collections.defaultdict(lambda: [0, 0, 0])  # agree, disagree, not produced
    bad = []
    for i, ref in refs.items():
        m = ref['mode']
        if i not in outs:
            per[m][2] += 1
            continue
        d = compare(ref, outs[i])
        if d:
            per[m][1] += 1
            bad.append((i, d))
        else:
            per[m][0] += 1
    tot = [0, 0, 0]
    for m in sorted(per):
        a, b, c = per[m]
        tot = [tot[0] + a, tot[1] + b, tot[2] + c]
        print('%-9s %3d cases: %3d agree, %3d disagree, %3d not produced  (%.1f%% of produced agree)'
              % (m, a + b + c, a, b, c, 100.0 * a / max(1, a + b)))
    a, b, c = tot
    print('%-9s %3d cases: %3d agree, %3d disagree, %3d not produced' % ('total', a + b + c, a, b, c))
    for i, d in bad:
        print('DIFF', i, '; '.join(d))


main()
