"""Who holds the byte[] arrays of a heap dump: hprof_byte_arrays.py DUMP STREAMS [LENGTH].

Per stream: bytes and counts of byte arrays by length and by holder chain (class.field, followed through
buffers, strings and lists). With LENGTH, where a few arrays of that length are referenced from."""
import collections
import struct
import sys

from hprof import Heap

PASS_THROUGH = ('java.nio.HeapByteBuffer', 'java.nio.HeapByteBufferR', 'java.lang.String', 'java.util.ArrayList',
                '[Ljava.lang.Object;', '[Ljava.nio.ByteBuffer;', 'java.util.ImmutableCollections$List12',
                'java.util.ImmutableCollections$ListN')

heap = Heap(sys.argv[1])
streams = int(sys.argv[2])
holder_of = heap.first_referrers()


def chain(oid, depth):
    out = []
    for _ in range(depth):
        h = holder_of.get(oid)
        if not h:
            out.append('<none>')
            break
        out.append('%s.%s' % (h[1].split('.')[-1], h[2]))
        if h[1] not in PASS_THROUGH:
            break
        oid = h[0]
    return ' <- '.join(out)


by = collections.Counter()
cnt = collections.Counter()
for oid, n in heap.byte_arrays.items():
    key = (chain(oid, 4), n if n in (16384, 4096, 2048, 8192, 512, 256, 8000) or n >= 1024 else 'small<1024')
    by[key] += n + 16
    cnt[key] += 1
print('byte[] total %.1f KB per stream' % (sum(by.values()) / 1024 / streams))
print('%12s %10s  %-10s %s' % ('B/stream', 'n/stream', 'length', 'held by (class.field <- ...)'))
for k, v in by.most_common(40):
    print('%12.1f %10.2f  %-10s %s' % (v / streams, cnt[k] / streams, k[1], k[0]))
if len(sys.argv) > 3:
    target = int(sys.argv[3])
    m = heap.m
    for t in [o for o, n in heap.byte_arrays.items() if n == target][:3]:
        needle = struct.pack('>Q', t)
        i = m.find(needle)
        hits = []
        while i >= 0 and len(hits) < 6:
            hits.append(i)
            i = m.find(needle, i + 1)
        print('id', t, 'hits', hits)
        for h in hits:
            for oid, (cid, off, n) in heap.instances.items():
                if off <= h < off + n:
                    print('   inside instance of', heap.class_name.get(cid), 'at field offset', h - off,
                          heap.layout(cid))
                    break
            for oid, (cid, off, n) in heap.obj_arrays.items():
                if off <= h < off + 8 * n:
                    print('   inside obj array', heap.class_name.get(cid))
                    break
