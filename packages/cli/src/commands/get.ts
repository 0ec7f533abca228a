import { GraylaneError } from '@graylane/core';
import { parseFlags, usageError } from '../command-failure.js';
import { clientFlagSpec, clientFlagsHelp, clientSettings } from '../control-plane/client-flags.js';
import { createClient } from '../control-plane/create-client.js';
import { kindOf } from '../control-plane/kinds.js';
import { type OutputFormat, printItems } from '../control-plane/print-items.js';
import type { Command } from '../main.js';

const USAGE = `usage: graylane get KIND [NAME] [options]

KIND: lane, messagegrayscale (mg), gatewayroute (route), rollout (ro), app, instance, namespace, audit, token

options:
  -o, --output F      table (default), yaml or json; yaml output re-applies with graylane apply
  --limit N           audit entries to show (default 100)
${clientFlagsHelp}`;

const formats: OutputFormat[] = ['table', 'yaml', 'json'];

const get: Command = async (args) => {
  const { values, positionals } = parseFlags(USAGE, {
    args,
    allowPositionals: true,
    options: {
      ...clientFlagSpec,
      output: { type: 'string', short: 'o', default: 'table' },
      limit: { type: 'string' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [word, name, ...extra] = positionals;
  const format = values.output as OutputFormat;
  if (word === undefined) throw usageError('KIND is required', USAGE);
  if (extra.length > 0) throw usageError(`unexpected ${extra.join(' ')}`, USAGE);
  if (!formats.includes(format)) throw usageError(`-o ${format} is not one of ${formats.join(', ')}`, USAGE);
  const kind = kindOf(word);
  const settings = clientSettings(values);
  const client = createClient(settings);
  const ns = settings.namespace;
  let items: unknown[];
  if (name !== undefined && kind.one) {
    items = [await client.request('GET', kind.one(ns, name))];
  } else {
    const limit = values.limit && kind.title === 'audit' ? `&limit=${encodeURIComponent(values.limit)}` : '';
    const list: unknown[] = (await client.request('GET', kind.list(ns) + limit)).items;
    items = name === undefined ? list : list.filter((item) => kind.nameOf(item) === name);
    if (name !== undefined && items.length === 0) {
      throw new GraylaneError('GL_NOT_FOUND', `${kind.title} "${name}" not found in namespace ${ns}`);
    }
  }
  console.log(printItems(kind, items, format, name !== undefined));
  return 0;
};

export default get;
