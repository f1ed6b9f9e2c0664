"""Heap per live HTTP connection by owning class and package: hprof_owners.py DUMP."""
import collections
import sys

from hprof import Heap, owners

agg, live = owners(Heap(sys.argv[1]))
top = collections.Counter()
for k, v in agg.items():
    top[k.split('$')[0].rsplit('.', 1)[0]] += v
print('by package of owner (B per live connection):')
for k, v in top.most_common(12):
    print('  %9.1f  %s' % (v / live, k))
print('by owning class:')
for k, v in agg.most_common(45):
    print('  %9.1f  %s' % (v / live, k))
