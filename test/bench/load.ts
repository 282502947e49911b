// One load run in its own process, so the load generator never shares a heap or an event loop with
// the seeding code: `node --import tsx test/bench/load.ts '<json>'` prints autocannon's figures.
import autocannon from 'autocannon';
import { datasetBody, AGENCIES, WORDS } from './workload.ts';

interface Job {
  scenario: 'baseline' | 'show' | 'search' | 'create';
  url: string;
  names?: string[];
  token?: string;
  connections: number;
  duration: number;
  firstIndex?: number;
}

const job = JSON.parse(process.argv[2]) as Job;
let requests: autocannon.Request[];
switch (job.scenario) {
  case 'baseline':
    requests = Array.from({ length: 500 }, () => ({ method: 'GET', path: '/api/3' }));
    break;
  case 'show':
    requests = Array.from({ length: 500 }, (_, i) => ({ method: 'GET', path: `/api/3/action/package_show?id=${job.names![(i * 37) % job.names!.length]}` }));
    break;
  case 'search': {
    const facets = encodeURIComponent(JSON.stringify(['tags', 'res_format']));
    requests = Array.from({ length: WORDS.length * AGENCIES.length }, (_, i) => {
      const q = encodeURIComponent(WORDS[i % WORDS.length]);
      const fq = encodeURIComponent(`organization:${AGENCIES[Math.floor(i / WORDS.length) % AGENCIES.length]}`);
      return { method: 'GET', path: `/api/3/action/package_search?q=${q}&fq=${fq}&facet.field=${facets}&rows=10` };
    });
    break;
  }
  case 'create': {
    let next = job.firstIndex ?? 1_000_000;
    requests = [
      {
        method: 'POST',
        path: '/api/3/action/package_create',
        headers: { 'content-type': 'application/json', authorization: job.token! },
        setupRequest: (req) => ({ ...req, body: JSON.stringify(datasetBody(next, AGENCIES[next++ % AGENCIES.length])) }),
      },
    ];
    break;
  }
}

const result = await autocannon({ url: job.url, connections: job.connections, duration: job.duration, requests });
process.stdout.write(
  JSON.stringify({
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  }),
);
