import type { RpcMethodDefinition } from '@localwire/rpc-server';
import { z } from 'zod';

export const greet: RpcMethodDefinition<{ name: string }, string> = {
  params: z.object({ name: z.string() }),
  result: z.string(),
  handler: ({ name }) => `hello ${name}`,
};
