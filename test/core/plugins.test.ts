import { expect } from 'chai';
import { definePlugin, type AnyPlugin } from '../../core/plugins/define-plugin.ts';
import { ConfigError } from '../../core/errors.ts';
import { startTestServer } from '../helpers/server.ts';
import type { ActionHandler } from '../../core/actions/types.ts';

const plain = (name: string, dependsOn: string[] = []): AnyPlugin => definePlugin({ name, version: '0.0.1', dependsOn, register() {} });

async function bootError(plugins: AnyPlugin[] | string[]): Promise<Error> {
  try {
    const server = await startTestServer({ plugins });
    await server.close();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected boot to fail');
}

describe('plugin loading', () => {
  it('an unknown plugin name stops boot with one line listing the available ones', async () => {
    const err = await bootError(['no-such-plugin']);
    expect(err).to.be.instanceOf(ConfigError);
    expect(err.message).to.match(/^Config: unknown plugin "no-such-plugin" in plugins \(available: .*example.*\)$/);
  });

  it('a missing dependency stops boot naming both plugins', async () => {
    const err = await bootError([plain('federation-demo', ['harvest-demo'])]);
    expect(err.message).to.equal('Config: plugin "federation-demo" depends on "harvest-demo", which is not enabled; add it to plugins');
  });

  it('a dependency cycle stops boot showing the cycle', async () => {
    const err = await bootError([plain('a', ['b']), plain('b', ['a'])]);
    expect(err.message).to.equal('Config: plugin dependency cycle: a → b → a');
  });

  it('a plugin listed twice stops boot', async () => {
    const err = await bootError([plain('twice'), plain('twice')]);
    expect(err.message).to.include('listed twice');
  });

  it('definePlugin refuses names that are not kebab-case', () => {
    expect(() => definePlugin({ name: 'Bad_Name', version: '1', register() {} })).to.throw(/kebab-case/);
  });

  it('dependencies are registered and started before their dependents, whatever the config order', async () => {
    const order: string[] = [];
    const tracked = (name: string, dependsOn: string[] = []) =>
      definePlugin({ name, version: '1', dependsOn, register: () => void order.push(`register ${name}`), init: () => void order.push(`init ${name}`) });
    const server = await startTestServer({ plugins: [tracked('second', ['first']), tracked('first')] });
    try {
      expect(order).to.deep.equal(['register first', 'register second', 'init first', 'init second']);
      const status = await server.anon.call('status_show');
      expect(status.extensions).to.deep.equal(['first', 'second']);
    } finally {
      await server.close();
    }
  });

  it('chained actions run in plugin order (the first listed is outermost) and can replace results', async () => {
    const entered: string[] = [];
    const chainer = (name: string) =>
      definePlugin({
        name,
        version: '1',
        register(api) {
          api.chainAction('site_read', (previous: ActionHandler): ActionHandler => async (context, data) => {
            entered.push(name);
            return previous(context, data);
          });
        },
      });
    const replacer = definePlugin({
      name: 'replacer',
      version: '1',
      register(api) {
        api.actions({ license_show: { sideEffectFree: true, handler: () => ({ replaced: true }) } });
      },
    });
    const server = await startTestServer({ plugins: [chainer('outer'), chainer('inner'), replacer] });
    try {
      expect(await server.anon.call('site_read')).to.equal(true);
      expect(entered).to.deep.equal(['outer', 'inner']);
      expect(await server.anon.call('license_show', { id: 'cc-by' })).to.deep.equal({ replaced: true });
    } finally {
      await server.close();
    }
  });

  it('chaining an action that does not exist stops boot', async () => {
    const bad = definePlugin({ name: 'bad-chain', version: '1', register: (api) => api.chainAction('no_such_action', (p) => p) });
    const err = await bootError([bad]);
    expect(err.message).to.include('chains action "no_such_action"');
  });

  it('two plugins declaring the same dataset field stop boot; a field may not shadow a core key', async () => {
    const field = { field_name: 'linh_vuc', label: 'Lĩnh vực' };
    const one = definePlugin({ name: 'one', version: '1', register: (api) => api.datasetFields([field]) });
    const two = definePlugin({ name: 'two', version: '1', register: (api) => api.datasetFields([field]) });
    expect((await bootError([one, two])).message).to.include('both declare the dataset field "linh_vuc"');
    const shadow = definePlugin({ name: 'shadow', version: '1', register: (api) => api.datasetFields([{ field_name: 'title', label: 'x' }]) });
    expect((await bootError([shadow])).message).to.include('which is a core field');
  });

  it('a plugin hook that fails rolls back the whole dataset write', async () => {
    const failing = definePlugin({
      name: 'failing',
      version: '1',
      register(api) {
        api.packageController({
          after_dataset_create() {
            throw new Error('hook exploded');
          },
        });
      },
    });
    const server = await startTestServer({ plugins: [failing], config: { auth: { create_unowned_dataset: true } } });
    try {
      const response = await server.admin.post('package_create', { name: 'rolled-back' });
      expect(response.status).to.equal(500);
      expect(response.body.error).to.deep.equal({ __type: 'Internal Server Error', message: 'Internal Server Error' });
      const show = await server.admin.post('package_show', { id: 'rolled-back' });
      expect(show.status).to.equal(404);
    } finally {
      await server.close();
    }
  });
});
