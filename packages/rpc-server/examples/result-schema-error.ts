import { createRpcServer, ResultSchemaError } from '@localwire/rpc-server';
import { methods } from './define-methods.js';

createRpcServer({
  methods,
  onError: (error) => {
    if (error instanceof ResultSchemaError) console.error(error.method, error.issues);
  },
});
