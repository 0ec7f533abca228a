import { type ParseArgsConfig, parseArgs } from 'node:util';
import { type ErrorCode, formatError, GraylaneError, isGraylaneError } from '@graylane/core';

/**
 * The one place where a command's failure becomes what the person sees and the
 * process exit code. Commands throw; `main` calls `reportFailure`.
 */

/** A wrong command line: `GL_USAGE`, printed with the command's usage text. */
export function usageError(message: string, usage: string): GraylaneError {
  return new GraylaneError('GL_USAGE', `${message}\n\n${usage}`);
}

/** `parseArgs` whose complaints (unknown flag, missing value) are usage errors with `usage`. */
export function parseFlags<T extends ParseArgsConfig>(
  usage: string,
  config: T,
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw usageError((error as Error).message, usage);
  }
}

/** 2 when the command line was wrong, 1 for every other failure (docs/errors.md). */
export function exitCodeOf(code: ErrorCode): number {
  return code === 'GL_USAGE' ? 2 : 1;
}

/** Prints a failure of `graylane <command>` and answers its exit code. */
export function reportFailure(command: string, thrown: unknown): number {
  const error = isGraylaneError(thrown)
    ? thrown
    : (thrown as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
      ? usageError((thrown as Error).message, `see graylane ${command} --help`)
      : GraylaneError.from(thrown);
  if (error.code === 'GL_USAGE') console.error(`graylane${command ? ` ${command}` : ''}: ${error.message}`);
  else if (error.code === 'GL_INTERNAL' && thrown instanceof Error && !isGraylaneError(thrown))
    console.error(`error: ${formatError(error)}\n${thrown.stack ?? ''}`);
  else console.error(`error: ${formatError(error)}`);
  return exitCodeOf(error.code);
}
