import os; exec(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'hprof_byte_arrays.py')).read().split("print('instances'")[0])
import collections
def layout(cid):
    fl = []
    while cid and cid in classes:
        sup, f = classes[cid]; fl.extend(f); cid = sup
    return fl
holder_of = {}
cls_of = {}
size_of = {}
for oid, (cid, off, n) in instances.items():
    cls_of[oid] = class_name.get(cid, '?'); size_of[oid] = (12 + n + 7) // 8 * 8
    p = off
    for name, t in layout(cid):
        if t == 2:
            ref = U8(m, p)[0]; p += 8
            if ref and ref not in holder_of: holder_of[ref] = oid
        else: p += BASIC[t]
for oid, (cid, off, n) in obj_arrays.items():
    cls_of[oid] = class_name.get(cid, '?'); size_of[oid] = (16 + 4*n + 7)//8*8
    for i in range(n):
        ref = U8(m, off + 8*i)[0]
        if ref and ref not in holder_of: holder_of[ref] = oid
for oid, n in byte_arrays.items():
    cls_of[oid] = '[B'; size_of[oid] = (16 + n + 7)//8*8
live = sum(1 for c in cls_of.values() if c == 'jdk.internal.net.http.SocketTube')
print('live connections (SocketTube)', live, ' GroqStreamSource', sum(1 for c in cls_of.values() if c.endswith('GroqStreamSource')))
OWN = ('dev.llmstream.', 'jdk.internal.net.http.', 'com.fasterxml.jackson.', 'dev.failsafe.')
def owner(oid):
    c = cls_of.get(oid, '?')
    for _ in range(12):
        if c.startswith(OWN): return c
        h = holder_of.get(oid)
        if h is None: return '<root>'
        oid = h; c = cls_of.get(oid, '?')
    return '<deep>'
agg = collections.Counter(); top = collections.Counter()
for oid in cls_of:
    o = owner(oid); agg[o] += size_of[oid]
    top[o.split('$')[0].rsplit('.', 1)[0]] += size_of[oid]
print('by package of owner (B per live connection):')
for k, v in top.most_common(12): print('  %9.1f  %s' % (v / live, k))
print('by owning class:')
for k, v in agg.most_common(45): print('  %9.1f  %s' % (v / live, k))
