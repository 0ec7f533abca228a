import { parseArgs } from 'node:util';
import { GraylaneError } from '@graylane/core';
import { clientFlagSpec, clientFlagsHelp, clientSettings } from '../control-plane/client-flags.js';
import { createClient } from '../control-plane/create-client.js';
import { kindOf } from '../control-plane/kinds.js';
import { runClientCommand } from '../control-plane/run-client-command.js';
import type { Command } from '../main.js';

const USAGE = `usage: graylane delete KIND NAME [options]

KIND: lane, messagegrayscale (mg), gatewayroute (route), instance (deregisters it), token (revokes it)

options:
${clientFlagsHelp}`;

const remove: Command = (args) =>
  runClientCommand('delete', async () => {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: clientFlagSpec });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const [word, name, ...extra] = positionals;
    if (word === undefined || name === undefined || extra.length > 0) {
      console.error(USAGE);
      return 2;
    }
    const kind = kindOf(word);
    if (!kind.remove) {
      throw new GraylaneError('GL_BAD_REQUEST', `a ${kind.title} cannot be deleted with graylane delete`);
    }
    const settings = clientSettings(values);
    await createClient(settings).request('DELETE', kind.remove(settings.namespace, name));
    console.log(`${kind.title}/${name} deleted`);
    return 0;
  });

export default remove;
