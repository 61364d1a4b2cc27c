# SPDX-License-Identifier: MIT
# bench/profile_create.py: read `perf script -F time,event` of the uprobes
# bench/profile_create.sh sets, print the median wall time of each step of
# the last N CreateEndpoint calls.  Usage: ... | profile_create.py N
import re
import statistics
import sys

STEPS = [
    ('conn_process', 'whole request: HTTP parse, dispatch, reply queued'),
    ('http_before', '  HTTP: request parsed, before api_dispatch'),
    ('before_handler', '  JSON parse of the body, route lookup'),
    ('handler', '  nd_create_endpoint'),
    ('teardown_claim', '    teardown_claim (a doomed link of that name?)'),
    ('host_ep_add', '    host_ep_add (netlink)'),
    ('plumb_veth_add', '      veth pair created, set up (netlink)'),
    ('plumb_route_add', '      /32 host route (netlink)'),
    ('records_put_ep', '    the endpoint record built (JSON)'),
    ('store_commit_lazy', '    journal line printed and written'),
    ('after_handler', '  JSON reply printed'),
]


def main():
    ev = []
    for line in sys.stdin:
        m = re.search(r'(\d+\.\d+):\s+probe_routed:(\w+):', line)
        if m:
            ev.append((float(m.group(1)), m.group(2)))
    calls, stack, cur = [], {}, None
    for t, name in ev:
        ret = name.endswith('__return')
        f = name[:-8] if ret else name
        if not ret:
            stack.setdefault(f, []).append(t)
            if f == 'nd_create_endpoint':
                cur = {'cp': stack.get('conn_process', [None])[-1],
                       'ad': stack.get('api_dispatch', [None])[-1], 'start': t}
            continue
        if not stack.get(f):
            continue
        t0 = stack[f].pop()
        d = (t - t0) * 1e3
        if cur is None:
            continue
        if f == 'nd_create_endpoint':
            cur['handler'], cur['end'] = d, t
        elif f == 'api_dispatch' and 'end' in cur:
            cur['after_handler'] = (t - cur['end']) * 1e3
            cur['before_handler'] = (cur['start'] - t0) * 1e3
            cur['dispatch_end'] = t
        elif f == 'conn_process' and 'dispatch_end' in cur:
            cur['conn_process'] = d
            cur['http_before'] = (cur['ad'] - t0) * 1e3 if cur['ad'] else 0
            calls.append(cur)
            cur = None
        elif 'end' not in cur:
            cur[f] = cur.get(f, 0) + d
    last = calls[-int(sys.argv[1]):]
    if not last:
        sys.exit('profile_create.py: no CreateEndpoint call recorded')
    print('\nCreateEndpoint, the last %d calls: median wall time per step' %
          len(last))
    for k, what in STEPS:
        v = [c.get(k, 0) for c in last]
        print('%-50s %8.3f ms' % (what, statistics.median(v)))


main()
