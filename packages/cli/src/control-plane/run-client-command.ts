import { formatError, isGraylaneError } from '@graylane/core';
import { UnreachableError } from './create-client.js';

/** Runs a client command body and turns what it throws into a message and exit code 1. */
export async function runClientCommand(name: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (isGraylaneError(error)) console.error(`error: ${formatError(error)}`);
    else if (error instanceof UnreachableError) console.error(`error: ${error.message}`);
    else if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`graylane ${name}: ${(error as Error).message}; see graylane ${name} --help`);
      return 2;
    } else throw error;
    return 1;
  }
}
