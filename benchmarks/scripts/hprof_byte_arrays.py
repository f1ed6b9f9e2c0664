"""Who holds the byte[] arrays of a heap dump (HPROF, 8-byte ids): hprof_byte_arrays.py DUMP STREAMS [LENGTH]."""
import mmap, struct, sys, collections
path, streams = sys.argv[1], int(sys.argv[2])
f = open(path, 'rb'); m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
hdr_end = m.find(b'\0') + 1
idsize = struct.unpack('>I', m[hdr_end:hdr_end+4])[0]
assert idsize == 8
pos = hdr_end + 12
strings = {}; class_name = {}  # class obj id -> name
classes = {}  # id -> (super, [(name, type)])
BASIC = {2: 8, 4: 1, 5: 2, 6: 4, 7: 8, 8: 1, 9: 2, 10: 4, 11: 8}
instances = {}  # obj id -> (class id, data offset, len)
byte_arrays = {}  # id -> length
obj_arrays = {}  # id -> (class id, offset, n)
U4 = struct.Struct('>I').unpack_from; U8 = struct.Struct('>Q').unpack_from
end = len(m)
while pos < end:
    tag = m[pos]; ln = U4(m, pos + 5)[0]; body = pos + 9; pos = body + ln
    if tag == 0x01:
        strings[U8(m, body)[0]] = m[body+8:body+ln].decode('utf-8', 'replace')
    elif tag == 0x02:
        class_name[U8(m, body+4)[0]] = strings.get(U8(m, body+16)[0], '?').replace('/', '.')
    elif tag in (0x0C, 0x1C):
        p = body; e = body + ln
        while p < e:
            st = m[p]; p += 1
            if st == 0xFF: p += 8
            elif st in (0x05, 0x07): p += 8
            elif st in (0x01,): p += 16
            elif st in (0x02, 0x03): p += 16
            elif st == 0x04: p += 12
            elif st == 0x06: p += 12
            elif st == 0x08: p += 16
            elif st == 0x20:
                cid = U8(m, p)[0]; sup = U8(m, p+12)[0]; p += 8+4+8*6+4
                ncp = struct.unpack_from('>H', m, p)[0]; p += 2
                for _ in range(ncp):
                    t = m[p+2]; p += 3 + (8 if t == 2 else BASIC[t])
                nst = struct.unpack_from('>H', m, p)[0]; p += 2
                for _ in range(nst):
                    t = m[p+8]; p += 9 + (8 if t == 2 else BASIC[t])
                nf = struct.unpack_from('>H', m, p)[0]; p += 2
                fl = []
                for _ in range(nf):
                    fl.append((strings.get(U8(m, p)[0], '?'), m[p+8])); p += 9
                classes[cid] = (sup, fl)
            elif st == 0x21:
                oid = U8(m, p)[0]; cid = U8(m, p+12)[0]; n = U4(m, p+20)[0]
                instances[oid] = (cid, p+24, n); p += 24 + n
            elif st == 0x22:
                oid = U8(m, p)[0]; n = U4(m, p+12)[0]; cid = U8(m, p+16)[0]
                obj_arrays[oid] = (cid, p+24, n); p += 24 + 8*n
            elif st == 0x23:
                oid = U8(m, p)[0]; n = U4(m, p+12)[0]; t = m[p+16]
                if t == 8: byte_arrays[oid] = n
                p += 17 + n*BASIC[t]
            else:
                raise SystemExit('unknown subtag %x at %d' % (st, p))
print('instances', len(instances), 'byte arrays', len(byte_arrays), file=sys.stderr)
def layout(cid):
    fl = []
    while cid and cid in classes:
        sup, f = classes[cid]; fl.extend(f); cid = sup
    return fl
layouts = {}
# referrers of byte arrays and of ByteBuffers
owner = {}  # byte[] id -> (holder class, field)
holder_of = {}  # obj id -> (holder class, field)  for any referenced object (first seen)
for oid, (cid, off, n) in instances.items():
    fl = layouts.get(cid)
    if fl is None: fl = layouts[cid] = layout(cid)
    p = off; cn = class_name.get(cid, '?')
    for name, t in fl:
        if t == 2:
            ref = U8(m, p)[0]; p += 8
            if ref and ref not in holder_of: holder_of[ref] = (oid, cn, name)
        else:
            p += BASIC[t]
for oid, (cid, off, n) in obj_arrays.items():
    cn = class_name.get(cid, '?')
    for i in range(n):
        ref = U8(m, off + 8*i)[0]
        if ref and ref not in holder_of: holder_of[ref] = (oid, cn, '[]')
def chain(oid, depth):
    out = []
    for _ in range(depth):
        h = holder_of.get(oid)
        if not h: out.append('<none>'); break
        out.append('%s.%s' % (h[1].split('.')[-1], h[2]))
        if h[1] not in ('java.nio.HeapByteBuffer', 'java.nio.HeapByteBufferR', 'java.lang.String', 'java.util.ArrayList', '[Ljava.lang.Object;', '[Ljava.nio.ByteBuffer;', 'java.util.ImmutableCollections$List12', 'java.util.ImmutableCollections$ListN'): break
        oid = h[0]
    return ' <- '.join(out)
by = collections.Counter(); cnt = collections.Counter()
for oid, n in byte_arrays.items():
    key = (chain(oid, 4), n if n in (16384, 4096, 2048, 8192, 512, 256, 8000) or n >= 1024 else 'small<1024')
    by[key] += n + 16; cnt[key] += 1
tot = sum(by.values())
print('byte[] total %.1f KB per stream' % (tot / 1024 / streams))
print('%12s %10s  %-10s %s' % ('B/stream', 'n/stream', 'length', 'held by (class.field <- ...)'))
for k, v in by.most_common(40):
    print('%12.1f %10.2f  %-10s %s' % (v / streams, cnt[k] / streams, k[1], k[0]))
if len(sys.argv) > 3:
    import re
    target = int(sys.argv[3])
    ids = [o for o, n in byte_arrays.items() if n == target][:3]
    for t in ids:
        needle = struct.pack('>Q', t)
        i = m.find(needle); hits = []
        while i >= 0 and len(hits) < 6:
            hits.append(i); i = m.find(needle, i + 1)
        print('id', t, 'hits', hits)
        for h in hits:
            for oid, (cid, off, n) in instances.items():
                if off <= h < off + n:
                    print('   inside instance of', class_name.get(cid), 'at field offset', h - off, layouts.get(cid))
                    break
            for oid, (cid, off, n) in obj_arrays.items():
                if off <= h < off + 8*n:
                    print('   inside obj array', class_name.get(cid)); break
