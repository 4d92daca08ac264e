import { app } from '@azure/functions';
import { ConfigError } from '../shared/platform/config/ConfigError';
import type { Settings } from '../shared/platform/config/settingsSchema';
import { functionTable } from './functionTable';
import { loadOnFirstCall } from './loadOnFirstCall';
import { processConfig } from './processConfig';
import type { Services } from './Services';

// The proxy streams request and response bodies; without this the host buffers them.
app.setup({ enableHttpStream: true });

let settings: Settings;
try {
  settings = processConfig().settings;
} catch (error) {
  // One message naming every bad setting, then refuse to start.
  if (error instanceof ConfigError) console.error(error.detail);
  throw error;
}

// Registering needs only the table's names and bindings. The composition root and the SDKs it
// builds with (storage, MSAL, jose, undici…) are most of a cold start, so they are loaded on
// the first invocation (or the appStart hook below), never by the import (docs/performance.md).
let built: Services | undefined;
const services = loadOnFirstCall(async () => {
  const { processServices } = await import('./processServices.js');
  return async () => (built = processServices());
});

// Where nothing provisioned them (func start, a test host), tables and queues are created
// once per worker before traffic. In Azure the template creates them and sets
// STORAGE_PROVISIONED: those 14 storage calls and a token request would delay the first
// answer of a cold start, and Graph wants its validation answered within 3 s.
if (!settings.STORAGE_PROVISIONED) {
  app.hook.appStart(async () => {
    const { ensureStorage } = await import('../shared/platform/storage/ensureStorage.js');
    await ensureStorage(await services());
  });
}

// The worker runs this hook when the host shuts it down (scale-in, deployment, restart): what
// the process summed in memory (the report counters) is written then. A worker that never
// built its services has nothing to write, and must not load them just to stop.
app.hook.appTerminate(async () => {
  await built?.stop();
});

// Each handler gets the services already built, so telemetry (started with them) is in place
// before its server span opens.
for (const definition of functionTable) {
  switch (definition.kind) {
    case 'http': {
      const { handler } = definition;
      app.http(definition.name, {
        route: definition.route,
        methods: definition.methods,
        authLevel: 'anonymous',
        handler: async (request, context) => handler(request, context, await services()),
      });
      break;
    }
    case 'queue': {
      const { handler } = definition;
      app.storageQueue(definition.name, {
        queueName: definition.queueName,
        connection: 'AzureWebJobsStorage',
        handler: async (message, context) => handler(message, context, await services()),
      });
      break;
    }
    case 'timer': {
      const { handler } = definition;
      app.timer(definition.name, {
        schedule: definition.schedule,
        runOnStartup: definition.runOnStartup ?? false,
        handler: async (timer, context) => handler(timer, context, await services()),
      });
      break;
    }
  }
}
