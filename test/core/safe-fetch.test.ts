import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { OutboundRequestError, SafeFetcher, blockedReason } from '../../core/net/safe-fetch.ts';

async function failure(promise: Promise<unknown>): Promise<OutboundRequestError> {
  try {
    await promise;
  } catch (err) {
    expect(err).to.be.instanceOf(OutboundRequestError);
    return err as OutboundRequestError;
  }
  throw new Error('expected the request to fail');
}

describe('outbound requests (SSRF protection, limits)', () => {
  let server: http.Server;
  let base: string;
  const policy = { allowPrivate: [] as string[], userAgent: 'kho-test', timeoutMs: 1000, maxBytes: 1000, maxRedirects: 3 };

  before(async () => {
    server = http.createServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      if (url.pathname === '/ok') return res.end(JSON.stringify({ ua: req.headers['user-agent'] }));
      if (url.pathname === '/big') return res.end('x'.repeat(5000));
      if (url.pathname === '/big-chunked') {
        res.write('x'.repeat(800));
        return res.end('y'.repeat(800));
      }
      if (url.pathname === '/slow') return void setTimeout(() => res.end('late'), 3000);
      if (url.pathname === '/loop') return res.writeHead(302, { location: '/loop' }).end();
      if (url.pathname === '/to-metadata') return res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      if (url.pathname === '/to-ok') return res.writeHead(301, { location: '/ok' }).end();
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise((resolve) => server.close(resolve)));

  it('refuses loopback, private, link-local and metadata addresses by default', async () => {
    const fetcher = new SafeFetcher(policy);
    try {
      for (const url of [`${base}/ok`, `http://localhost:${new URL(base).port}/ok`, 'http://10.1.2.3/', 'http://192.168.1.1/', 'http://169.254.169.254/', 'http://[::1]/', 'http://0.0.0.0/']) {
        const err = await failure(fetcher.fetch(url));
        expect(err.kind, url).to.equal('blocked');
        expect(err.message).to.include('net.allow_private_hosts');
      }
    } finally {
      await fetcher.close();
    }
  });

  it('reaches an allowlisted host, following redirects, with its user agent', async () => {
    const fetcher = new SafeFetcher({ ...policy, allowPrivate: ['127.0.0.1'] });
    try {
      const direct = await fetcher.fetch(`${base}/ok`);
      expect(direct.status).to.equal(200);
      expect(JSON.parse(direct.body.toString())).to.deep.equal({ ua: 'kho-test' });
      const redirected = await fetcher.fetch(`${base}/to-ok`);
      expect(redirected.status).to.equal(200);
      expect(redirected.url).to.equal(`${base}/ok`);
    } finally {
      await fetcher.close();
    }
  });

  it('checks every redirect hop: an allowed host cannot redirect to a blocked one', async () => {
    const fetcher = new SafeFetcher({ ...policy, allowPrivate: ['127.0.0.1'] });
    try {
      expect((await failure(fetcher.fetch(`${base}/to-metadata`))).kind).to.equal('blocked');
      expect((await failure(fetcher.fetch(`${base}/loop`))).kind).to.equal('too-many-redirects');
    } finally {
      await fetcher.close();
    }
  });

  it('enforces the size limit (declared or streamed) and the timeout', async () => {
    const fetcher = new SafeFetcher({ ...policy, allowPrivate: ['127.0.0.0/8'] });
    try {
      expect((await failure(fetcher.fetch(`${base}/big`))).kind).to.equal('too-large');
      expect((await failure(fetcher.fetch(`${base}/big-chunked`))).kind).to.equal('too-large');
      const started = Date.now();
      expect((await failure(fetcher.fetch(`${base}/slow`))).kind).to.equal('timeout');
      expect(Date.now() - started).to.be.lessThan(2500);
    } finally {
      await fetcher.close();
    }
  });

  it('fetches only http and https URLs', async () => {
    const fetcher = new SafeFetcher(policy);
    try {
      for (const url of ['file:///etc/passwd', 'ftp://example.org/x', 'gopher://x', 'not a url']) {
        expect((await failure(fetcher.fetch(url))).kind, url).to.equal('invalid-url');
      }
    } finally {
      await fetcher.close();
    }
  });

  it('classifies addresses: public ones pass, IPv4-mapped IPv6 private ones do not', () => {
    expect(blockedReason('example.org', '93.184.216.34', [])).to.equal(null);
    expect(blockedReason('x', '::ffff:127.0.0.1', [])).to.be.a('string');
    expect(blockedReason('x', '100.64.0.1', [])).to.be.a('string');
    expect(blockedReason('intranet.binhdinh.gov.vn', '10.20.1.5', ['10.20.0.0/16'])).to.equal(null);
    expect(blockedReason('intranet.binhdinh.gov.vn', '10.21.1.5', ['10.20.0.0/16'])).to.be.a('string');
  });
});
