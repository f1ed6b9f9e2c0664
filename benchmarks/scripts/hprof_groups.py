"""Heap per live HTTP connection in a few groups (JDK client, llmstream, Jackson, Failsafe): hprof_groups.py DUMP."""
import collections
import sys

from hprof import Heap, owners

agg, live = owners(Heap(sys.argv[1]))
g = collections.Counter()
for k, v in agg.items():
    if k == 'jdk.internal.net.http.SocketTube$SliceBufferSource':
        n = 'JDK client: read buffer (SocketTube$SliceBufferSource)'
    elif k.startswith('jdk.internal.net.http.'):
        n = 'JDK client: connection, exchange, futures, headers, selector key'
    elif k.startswith('dev.llmstream.benchmarks'):
        n = 'benchmark harness (sink)'
    elif k.startswith('dev.llmstream.'):
        n = 'llmstream (' + k.split('.')[2] + ')'
    elif k.startswith('dev.failsafe.'):
        n = 'Failsafe (retry + recovery executions)'
    elif k.startswith('com.fasterxml.jackson.'):
        n = 'Jackson parser'
    else:
        n = k
    g[n] += v
for k, v in g.most_common():
    print('  %8.1f KB  %s' % (v / live / 1024, k))
print('our classes:')
for k, v in agg.most_common():
    if k.startswith(('dev.llmstream.core', 'dev.llmstream.groq', 'dev.failsafe', 'com.fasterxml')) and v / live > 150:
        print('  %8.0f B  %s' % (v / live, k))
