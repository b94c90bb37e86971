#!/usr/bin/env python3
"""Compares oracle output with recorded expectations (status, fault, registers, memory; not accesses).

usage: compare.py REFERENCE.jsonl ORACLE-OUTPUT.jsonl [-v]
"""
import json, sys, collections

def h(x):
    return int(x, 16) if isinstance(x, str) else x

def norm_regs(case, ex):
    r = dict((k, h(v)) for k, v in ex.get('regs', {}).items())
    return r

def compare(ref, out):
    e, o = ref['expect'], out['expect']
    diffs = []
    if e['status'] != o['status']:
        diffs.append('status %s vs %s' % (e['status'], o['status']))
    if e['status'] == 'fault' and o['status'] == 'fault':
        ef, of = e.get('fault', {}), o.get('fault', {})
        for k in ('vector', 'error', 'cr2'):
            if k in ef and h(ef.get(k)) != h(of.get(k)):
                diffs.append('fault.%s %s vs %s' % (k, ef.get(k), of.get(k)))
    mask = h(e.get('flagsMask', '0x3f7fd7'))
    init = ref['regs']
    er, orr = norm_regs(ref, e), norm_regs(out, o)
    for k in sorted(set(er) | set(orr)):
        a = er.get(k, h(init.get(k, '0x0')) if k != 'rflags' else h(init.get('rflags', '0x2')))
        b = orr.get(k, h(init.get(k, '0x0')) if k != 'rflags' else h(init.get('rflags', '0x2')))
        if k == 'rflags':
            if (a ^ b) & mask:
                diffs.append('rflags %#x vs %#x (mask %#x)' % (a, b, mask))
        elif a != b:
            diffs.append('%s %#x vs %#x' % (k, a, b))
    em = {h(m['gpa']): m['hex'] for m in e.get('mem', [])}
    om = {h(m['gpa']): m['hex'] for m in o.get('mem', [])}
    for g in sorted(set(em) | set(om)):
        if em.get(g) != om.get(g):
            diffs.append('mem %#x %s vs %s' % (g, em.get(g), om.get(g)))
    return diffs

def main():
    refs = {}
    for line in open(sys.argv[1]):
        if line.strip():
            d = json.loads(line); refs[d['id']] = d
    outs = {}
    for line in open(sys.argv[2]):
        if line.strip():
            d = json.loads(line); outs[d['id']] = d
    per = collections.defaultdict(lambda: [0, 0, 0])  # agree, disagree, missing
    bad = []
    for i, ref in refs.items():
        m = ref['mode']
        if i not in outs:
            per[m][2] += 1; continue
        d = compare(ref, outs[i])
        if d:
            per[m][1] += 1; bad.append((i, d))
        else:
            per[m][0] += 1
    for m in sorted(per):
        a, b, c = per[m]
        t = a + b + c
        print('%-9s %3d cases: %3d agree, %3d disagree, %3d not produced  (%.1f%% of produced agree)' % (m, t, a, b, c, 100.0 * a / max(1, a + b)))
    for i, d in bad:
        print('DIFF', i, '; '.join(d))

main()
