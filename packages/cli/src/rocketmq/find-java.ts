import { join } from 'node:path';
import { GraylaneError } from '@graylane/core';
import { runProcess } from './run-process.js';

export interface Java {
  /** The `java` executable to spawn. */
  command: string;
  major: number;
}

// --add-opens needs Java 9+; RocketMQ 5.3 is built and tested on 8, 11 and 17.
const MIN_MAJOR = 11;

/** Finds `java` (`$JAVA_HOME/bin/java`, else on PATH) and checks its version. */
export async function findJava(env: NodeJS.ProcessEnv = process.env): Promise<Java> {
  const command = env.JAVA_HOME ? join(env.JAVA_HOME, 'bin', 'java') : 'java';
  let output: string;
  try {
    const result = await runProcess(command, ['-version'], { timeoutMs: 30_000 });
    output = result.stderr + result.stdout;
  } catch (cause) {
    throw new GraylaneError(
      'GL_JAVA_MISSING',
      `cannot run ${command}: install a Java ${MIN_MAJOR}+ runtime (17 recommended, e.g. apt-get install openjdk-17-jre-headless) or set JAVA_HOME`,
      { cause },
    );
  }
  const major = parseJavaMajor(output);
  if (major === undefined || major < MIN_MAJOR) {
    throw new GraylaneError(
      'GL_JAVA_MISSING',
      `${command} reports "${output.split('\n')[0]?.trim()}", RocketMQ tooling needs Java ${MIN_MAJOR}+ (17 recommended): install it or point JAVA_HOME at it`,
    );
  }
  return { command, major };
}

/** `openjdk version "17.0.15"` → 17; `java version "1.8.0_392"` → 8. */
export function parseJavaMajor(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (match === null) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}
