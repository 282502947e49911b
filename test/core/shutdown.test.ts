import { expect } from 'chai';
import { definePlugin } from '../../core/plugins/define-plugin.ts';
import { startTestServer } from '../helpers/server.ts';

const kernelRef: { kernel?: any } = {};
const slow = definePlugin({
  name: 'slow-route',
  version: '1',
  register(api) {
    api.routes((router) => {
      router.use(async (ctx, next) => {
        ctx.state.kernel = kernelRef.kernel;
        await next();
      });
      router.get('/slow', async (ctx) => {
        await new Promise((resolve) => setTimeout(resolve, 700));
        // The database must still be open when the in-flight request finishes.
        const row = await ctx.state.kernel.database.knex.raw('select 1 as one');
        ctx.body = { done: true, hasState: row.rows[0].one === 1 };
      });
    });
  },
});

describe('graceful shutdown', () => {
  it('stops accepting, lets the in-flight request finish, then closes', async () => {
    const server = await startTestServer({ plugins: [slow] });
    kernelRef.kernel = server.kernel;
    const inFlight = fetch(`${server.url}/slow`).then(async (response) => ({ status: response.status, body: await response.json() }));
    await new Promise((resolve) => setTimeout(resolve, 150));
    const closing = server.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const refused = await fetch(`${server.url}/api/3`).then(
      () => 'accepted',
      () => 'refused',
    );
    expect(refused).to.equal('refused');
    const finished = await inFlight;
    expect(finished).to.deep.equal({ status: 200, body: { done: true, hasState: true } });
    await closing;
  });
});
