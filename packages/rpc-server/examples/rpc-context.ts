import { defineMethods, type RpcContext } from '@localwire/rpc-server';

// What the client handles: a notification and a request.
interface ClientSide {
  progress(params: { done: number }): void;
  confirm(params: [question: string]): boolean;
}

export const methods = defineMethods({
  remove: async ([path]: [string], ctx: RpcContext<ClientSide>) => {
    ctx.notify('progress', { done: 0 });
    return (await ctx.request('confirm', [`remove ${path}?`])) ? 'removed' : 'kept';
  },
});
