import { parseFlags, usageError } from '../command-failure.js';
import { clientFlagSpec, clientFlagsHelp, clientSettings } from '../control-plane/client-flags.js';
import { createClient } from '../control-plane/create-client.js';
import type { Command } from '../main.js';

const USAGE = `usage: graylane token create NAME --role admin|viewer|agent [--apps A,B] [--expires TIME] [options]

Creates a token (admins only) and prints it once; the server keeps only its hash.
List tokens with "graylane get tokens", revoke one with "graylane delete token NAME".

options:
  --role R            admin (changes everything), viewer (reads), agent (registers,
                      heartbeats, watches, posts metrics)
  --apps A,B          an agent token acts only for these apps (default: every app);
                      give each app its own token
  --expires TIME      when the token stops working: an ISO 8601 time, e.g. 2027-01-31T00:00:00Z
${clientFlagsHelp}`;

const roles = ['admin', 'viewer', 'agent'];

const token: Command = async (args) => {
  const { values, positionals } = parseFlags(USAGE, {
    args,
    allowPositionals: true,
    options: {
      ...clientFlagSpec,
      role: { type: 'string' },
      apps: { type: 'string' },
      expires: { type: 'string' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [action, name, ...extra] = positionals;
  if (action !== 'create' || name === undefined || extra.length > 0)
    throw usageError('expected "token create NAME"', USAGE);
  if (values.role === undefined || !roles.includes(values.role))
    throw usageError(`--role must be one of ${roles.join(', ')}`, USAGE);
  const apps = values.apps?.split(',').filter((a) => a !== '');
  const body = {
    name,
    role: values.role,
    ...(apps === undefined ? {} : { apps }),
    ...(values.expires === undefined ? {} : { expiresAt: values.expires }),
  };
  const made = await createClient(clientSettings(values)).request('POST', '/v1/tokens', {
    text: JSON.stringify(body),
    contentType: 'application/json',
  });
  const scope = made.apps ? ` for ${made.apps.join(', ')}` : '';
  const until = made.expiresAt ? `, until ${new Date(made.expiresAt).toISOString()}` : '';
  console.error(`token ${made.name} (${made.role}${scope}${until}); copy it now, it is not shown again:`);
  console.log(made.token);
  return 0;
};

export default token;
