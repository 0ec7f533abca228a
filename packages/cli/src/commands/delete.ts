import { GraylaneError } from '@graylane/core';
import { parseFlags, usageError } from '../command-failure.js';
import { clientFlagSpec, clientFlagsHelp, clientSettings } from '../control-plane/client-flags.js';
import { createClient } from '../control-plane/create-client.js';
import { kindOf } from '../control-plane/kinds.js';
import type { Command } from '../main.js';

const USAGE = `usage: graylane delete KIND NAME [options]

KIND: lane, messagegrayscale (mg), gatewayroute (route), rollout (ro), instance (deregisters it), token (revokes it)

options:
${clientFlagsHelp}`;

const remove: Command = async (args) => {
  const { values, positionals } = parseFlags(USAGE, {
    args,
    allowPositionals: true,
    options: clientFlagSpec,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [word, name, ...extra] = positionals;
  if (word === undefined || name === undefined) throw usageError('KIND and NAME are required', USAGE);
  if (extra.length > 0) throw usageError(`unexpected ${extra.join(' ')}`, USAGE);
  const kind = kindOf(word);
  if (!kind.remove) {
    throw new GraylaneError('GL_BAD_REQUEST', `a ${kind.title} cannot be deleted with graylane delete`);
  }
  const settings = clientSettings(values);
  await createClient(settings).request('DELETE', kind.remove(settings.namespace, name));
  console.log(`${kind.title}/${name} deleted`);
  return 0;
};

export default remove;
