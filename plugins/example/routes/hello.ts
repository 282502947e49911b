import type Router from '@koa/router';

export function mountHelloRoute(greeting: string) {
  return (router: Router) => {
    router.get('/example/hello', (ctx) => {
      ctx.body = { greeting, user: ctx.state.user?.name ?? null };
    });
  };
}
