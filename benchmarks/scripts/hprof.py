"""Reads a HotSpot heap dump (HPROF, 8-byte ids) once, for the footprint scripts beside it.

`Heap(path)` parses the dump's strings, class names and layouts, instances, object arrays and byte
arrays; `heap.first_referrers()` maps every referenced object to the first object seen holding it (an
approximation of ownership: a shared object is charged to one holder). Standard library only.
"""
import collections
import mmap
import struct
import sys

BASIC = {2: 8, 4: 1, 5: 2, 6: 4, 7: 8, 8: 1, 9: 2, 10: 4, 11: 8}
U4 = struct.Struct('>I').unpack_from
U8 = struct.Struct('>Q').unpack_from
U2 = struct.Struct('>H').unpack_from


class Heap:
    def __init__(self, path):
        f = open(path, 'rb')
        self.m = m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        hdr_end = m.find(b'\0') + 1
        if U4(m, hdr_end)[0] != 8:
            raise SystemExit('%s: only dumps with 8-byte ids are read' % path)
        self.strings = {}
        self.class_name = {}  # class object id -> name
        self.classes = {}  # class id -> (super id, [(field name, type)])
        self.instances = {}  # object id -> (class id, data offset, length)
        self.obj_arrays = {}  # object id -> (class id, offset, n)
        self.byte_arrays = {}  # object id -> length
        self._layouts = {}
        pos, end = hdr_end + 12, len(m)
        while pos < end:
            tag = m[pos]
            ln = U4(m, pos + 5)[0]
            body = pos + 9
            pos = body + ln
            if tag == 0x01:
                self.strings[U8(m, body)[0]] = m[body + 8:body + ln].decode('utf-8', 'replace')
            elif tag == 0x02:
                self.class_name[U8(m, body + 4)[0]] = self.strings.get(U8(m, body + 16)[0], '?').replace('/', '.')
            elif tag in (0x0C, 0x1C):
                self._segment(body, body + ln)
        print('instances', len(self.instances), 'byte arrays', len(self.byte_arrays), file=sys.stderr)

    def _segment(self, p, e):
        m = self.m
        skip = {0xFF: 8, 0x05: 8, 0x07: 8, 0x01: 16, 0x02: 16, 0x03: 16, 0x04: 12, 0x06: 12, 0x08: 16}
        while p < e:
            st = m[p]
            p += 1
            if st in skip:
                p += skip[st]
            elif st == 0x20:  # class dump
                cid = U8(m, p)[0]
                sup = U8(m, p + 12)[0]
                p += 8 + 4 + 8 * 6 + 4
                ncp = U2(m, p)[0]
                p += 2
                for _ in range(ncp):
                    t = m[p + 2]
                    p += 3 + (8 if t == 2 else BASIC[t])
                nst = U2(m, p)[0]
                p += 2
                for _ in range(nst):
                    t = m[p + 8]
                    p += 9 + (8 if t == 2 else BASIC[t])
                nf = U2(m, p)[0]
                p += 2
                fl = []
                for _ in range(nf):
                    fl.append((self.strings.get(U8(m, p)[0], '?'), m[p + 8]))
                    p += 9
                self.classes[cid] = (sup, fl)
            elif st == 0x21:  # instance
                oid = U8(m, p)[0]
                cid = U8(m, p + 12)[0]
                n = U4(m, p + 20)[0]
                self.instances[oid] = (cid, p + 24, n)
                p += 24 + n
            elif st == 0x22:  # object array
                oid = U8(m, p)[0]
                n = U4(m, p + 12)[0]
                self.obj_arrays[oid] = (U8(m, p + 16)[0], p + 24, n)
                p += 24 + 8 * n
            elif st == 0x23:  # primitive array
                oid = U8(m, p)[0]
                n = U4(m, p + 12)[0]
                t = m[p + 16]
                if t == 8:
                    self.byte_arrays[oid] = n
                p += 17 + n * BASIC[t]
            else:
                raise SystemExit('unknown subtag %x at %d' % (st, p))

    def layout(self, cid):
        """The instance fields of class `cid`, its own first, then its superclasses'."""
        fl = self._layouts.get(cid)
        if fl is None:
            fl, c = [], cid
            while c and c in self.classes:
                sup, f = self.classes[c]
                fl.extend(f)
                c = sup
            self._layouts[cid] = fl
        return fl

    def first_referrers(self):
        """Object id -> (holder id, holder class name, field name or '[]'), the first holder seen."""
        holder_of = {}
        for oid, (cid, off, n) in self.instances.items():
            p = off
            cn = self.class_name.get(cid, '?')
            for name, t in self.layout(cid):
                if t == 2:
                    ref = U8(self.m, p)[0]
                    p += 8
                    if ref and ref not in holder_of:
                        holder_of[ref] = (oid, cn, name)
                else:
                    p += BASIC[t]
        for oid, (cid, off, n) in self.obj_arrays.items():
            cn = self.class_name.get(cid, '?')
            for i in range(n):
                ref = U8(self.m, off + 8 * i)[0]
                if ref and ref not in holder_of:
                    holder_of[ref] = (oid, cn, '[]')
        return holder_of


OWN = ('dev.llmstream.', 'jdk.internal.net.http.', 'com.fasterxml.jackson.', 'dev.failsafe.')


def owners(heap):
    """Bytes by owning class (the nearest holder in our, the JDK client's, Jackson's or Failsafe's code)
    and the number of live HTTP connections; exits with a message when the dump holds none."""
    holder = {k: v[0] for k, v in heap.first_referrers().items()}
    cls_of, size_of = {}, {}
    for oid, (cid, off, n) in heap.instances.items():
        cls_of[oid] = heap.class_name.get(cid, '?')
        size_of[oid] = (12 + n + 7) // 8 * 8
    for oid, (cid, off, n) in heap.obj_arrays.items():
        cls_of[oid] = heap.class_name.get(cid, '?')
        size_of[oid] = (16 + 4 * n + 7) // 8 * 8
    for oid, n in heap.byte_arrays.items():
        cls_of[oid] = '[B'
        size_of[oid] = (16 + n + 7) // 8 * 8
    live = sum(1 for c in cls_of.values() if c == 'jdk.internal.net.http.SocketTube')
    print('live connections (SocketTube)', live,
          ' GroqStreamSource', sum(1 for c in cls_of.values() if c.endswith('GroqStreamSource')))
    if live == 0:
        raise SystemExit('no live HTTP connection in this dump: take it while the streams are open '
                         '(ConcurrencyBenchmark -Dllmstream.heapdump=FILE does)')

    def owner(oid):
        c = cls_of.get(oid, '?')
        for _ in range(12):
            if c.startswith(OWN):
                return c
            h = holder.get(oid)
            if h is None:
                return '<root>'
            oid = h
            c = cls_of.get(oid, '?')
        return '<deep>'

    agg = collections.Counter()
    for oid in cls_of:
        agg[owner(oid)] += size_of[oid]
    return agg, live
