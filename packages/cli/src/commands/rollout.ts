import type { RolloutStatus } from '@graylane/core';
import { parseFlags, usageError } from '../command-failure.js';
import { clientFlagSpec, clientFlagsHelp, clientSettings } from '../control-plane/client-flags.js';
import { createClient } from '../control-plane/create-client.js';
import type { Command } from '../main.js';

const USAGE = `usage: graylane rollout VERB NAME [options]

VERB:
  status    phase, step, weight and the last analysis runs
  promote   end the current step's pause now (a "pause: {}" step waits for this)
  pause     hold the current step (analysis keeps running)
  resume    continue after pause (a timed step gets back the time it was paused)
  abort     set the lane's weight to 0 at once
  retry     start an aborted rollout again from its first step

options:
${clientFlagsHelp}`;

const verbs = ['status', 'promote', 'pause', 'resume', 'abort', 'retry'];

const fmt = (n: number | null | undefined) =>
  n === null || n === undefined ? '-' : String(Math.round(n * 10000) / 10000);

/** Human-readable status, the `kubectl argo rollouts get` way. */
export function describeRollout(r: {
  metadata: { name: string; namespace: string };
  spec: { lane: string; steps: Array<{ weight: number; pause?: unknown }> };
  status?: RolloutStatus;
}): string {
  const s = r.status;
  const lines = [`Rollout/${r.metadata.name} (namespace ${r.metadata.namespace}, lane ${r.spec.lane})`];
  if (!s) return [...lines, '  phase: Pending (the controller has not started it yet)'].join('\n');
  lines.push(`  phase:   ${s.phase}`, `  weight:  ${s.weight}`, `  message: ${s.message}`, '  steps:');
  r.spec.steps.forEach((step, i) => {
    const pause =
      step.pause === undefined
        ? ''
        : typeof step.pause === 'string'
          ? `, pause ${step.pause}`
          : ', pause until promoted';
    const mark = i < s.step || s.phase === 'Completed' ? '✓' : i === s.step ? '▶' : ' ';
    lines.push(`    ${mark} ${i + 1}. weight ${step.weight}${pause}`);
  });
  lines.push(`  analysis: ${s.runs} runs, ${s.failedRuns} failed`);
  for (const run of s.analysis.slice(-5)) {
    lines.push(`    #${run.run} ${run.verdict} (step ${run.step + 1}, weight ${run.weight})`);
    for (const m of run.metrics) {
      lines.push(
        `      ${m.name}${m.app ? ` ${m.app}` : ''}: ${m.verdict}, value ${fmt(m.value)}: ${m.message}`,
      );
    }
  }
  return lines.join('\n');
}

const rollout: Command = async (args) => {
  const { values, positionals } = parseFlags(USAGE, {
    args,
    allowPositionals: true,
    options: { ...clientFlagSpec, output: { type: 'string', short: 'o' } },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [verb, name, ...extra] = positionals;
  if (verb === undefined || name === undefined) throw usageError('VERB and NAME are required', USAGE);
  if (!verbs.includes(verb)) throw usageError(`unknown verb ${verb}: use one of ${verbs.join(', ')}`, USAGE);
  if (extra.length > 0) throw usageError(`unexpected ${extra.join(' ')}`, USAGE);
  const settings = clientSettings(values);
  const client = createClient(settings);
  const path = `/v1/namespaces/${encodeURIComponent(settings.namespace)}/rollouts/${encodeURIComponent(name)}`;
  const result =
    verb === 'status' ? await client.request('GET', path) : await client.request('POST', `${path}/${verb}`);
  if (values.output === 'json') console.log(JSON.stringify(result, null, 2));
  else console.log(describeRollout(result));
  return 0;
};

export default rollout;
