// `node --require @graylane/agent/register app.cjs`: Node 20.19+ can require the
// ESM build synchronously, so the patches are in place before the app's first line.
require('./dist/register.js');
