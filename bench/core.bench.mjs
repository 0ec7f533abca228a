// Lane decisions per second, against the parsing every HTTP server already pays.
import { parse as parseCookie } from 'cookie';
import { compileLanes, createRequestView, parseDocuments } from '../packages/core/dist/index.js';
import { compare, table } from './measure.mjs';

const lanes = parseDocuments(`
apiVersion: graylane.io/v1
kind: Lane
metadata: { name: beta-testers }
spec:
  tag: beta
  priority: 50
  entry:
    apps: [gateway]
    match:
      all:
        - { source: header, name: x-user-group, op: in, values: [beta, staff] }
        - { source: cookie, name: region, op: eq, value: hangzhou }
        - { source: query, name: uid, op: gt, value: 100 }
---
apiVersion: graylane.io/v1
kind: Lane
metadata: { name: mobile-canary }
spec:
  tag: canary
  priority: 40
  entry:
    apps: [gateway]
    match:
      all:
        - { source: header, name: user-agent, op: regex, value: "(iPhone|Android) [0-9]+" }
        - { source: path, op: prefix, value: /api/orders }
        - { source: cookie, name: vip, op: eq, value: gold }
---
apiVersion: graylane.io/v1
kind: Lane
metadata: { name: xiaoming }
spec:
  tag: gray
  priority: 30
  entry:
    apps: [gateway]
    match:
      all:
        - { source: method, op: eq, value: GET }
        - { source: query, name: name, op: eq, value: xiaoming }
        - { source: host, op: suffix, value: .example.com }
---
apiVersion: graylane.io/v1
kind: Lane
metadata: { name: ten-percent }
spec:
  tag: blue
  priority: 20
  entry:
    apps: [gateway]
    match:
      all:
        - { source: header, name: x-tenant, op: exists }
        - { source: cookie, name: uid, op: percentage, value: 10 }
        - { source: header, name: x-tenant, op: not_in, values: [internal] }
---
apiVersion: graylane.io/v1
kind: Lane
metadata: { name: even-users }
spec:
  tag: green
  priority: 10
  entry:
    apps: [gateway]
    match:
      any:
        - { source: query, name: uid, op: modulo, divisor: 97, remainder: 3 }
        - { source: header, name: x-debug, op: eq, value: "on" }
        - { source: path, op: contains, value: /debug/ }
`);

// A realistic mix: most requests match no lane, so all five are evaluated.
const requests = Array.from({ length: 1024 }, (_, i) => ({
  method: 'GET',
  url: `/api/orders/${i}?uid=${i * 7}&name=${i % 50 === 0 ? 'xiaoming' : 'user'}&page=2`,
  headers: {
    host: 'shop.example.com',
    // 32 distinct user agents, as a service sees a few dozen browser/app versions.
    'user-agent': `Mozilla/5.0 (${i % 3 === 0 ? 'iPhone' : 'X11; Linux x86_64'} ${i % 32}) Chrome/120.0.${i % 32}`,
    accept: 'application/json',
    'x-user-group': i % 4 === 0 ? 'beta' : 'public',
    'x-tenant': i % 2 === 0 ? 'acme' : undefined,
    cookie: `session=abc${i}; region=${i % 5 === 0 ? 'hangzhou' : 'beijing'}; uid=${i}; vip=${i % 7 === 0 ? 'gold' : 'none'}`,
  },
}));

export default async function run() {
  const decide = compileLanes(lanes, 'gateway');
  const ns = compare({
    decision: (i) => decide(createRequestView(requests[i & 1023])) !== undefined,
    'URL + cookie parse': (i) => {
      const r = requests[i & 1023];
      const url = new URL(r.url, `http://${r.headers.host}`);
      const cookies = parseCookie(r.headers.cookie);
      return url.searchParams.has('uid') && cookies.region !== undefined;
    },
  });
  const tagged = requests.filter((r) => decide(createRequestView(r))).length;
  const decisionsPerSecond = 1e9 / ns.decision;
  const ratio = ns.decision / ns['URL + cookie parse'];
  table([
    {
      subject: 'lane decision (5 lanes × 3 conditions)',
      'ns/op': ns.decision.toFixed(0),
      'ops/s': Math.round(decisionsPerSecond).toLocaleString('en-US'),
    },
    {
      subject: 'new URL() + cookie.parse()',
      'ns/op': ns['URL + cookie parse'].toFixed(0),
      'ops/s': Math.round(1e9 / ns['URL + cookie parse']).toLocaleString('en-US'),
    },
  ]);
  console.log(
    `requests that got a tag: ${tagged} of ${requests.length}; cost ratio decision / parse = ${ratio.toFixed(3)}`,
  );
  return {
    metric: 'decisions per second (one core)',
    value: Math.round(decisionsPerSecond),
    unit: 'decisions/s',
    peer: 'new URL() + cookie.parse() of the same request',
    peerValue: Math.round(1e9 / ns['URL + cookie parse']),
    ratio: Number(ratio.toFixed(3)),
  };
}
