import { app } from '@azure/functions';
import { ConfigError } from '../shared/platform/config/ConfigError';
import { ensureStorage } from '../shared/platform/storage/ensureStorage';
import { startTelemetry } from '../shared/platform/telemetry/startTelemetry';
import { functionTable } from './functionTable';
import { processServices } from './processServices';

// The proxy streams request and response bodies; without this the host buffers them.
app.setup({ enableHttpStream: true });

let storageProvisioned: boolean;
try {
  storageProvisioned = processServices().config.settings.STORAGE_PROVISIONED;
} catch (error) {
  // One message naming every bad setting, then refuse to start.
  if (error instanceof ConfigError) console.error(error.detail);
  throw error;
}

// Where nothing provisioned them (func start, a test host), tables and queues are created
// once per worker before traffic. In Azure the template creates them and sets
// STORAGE_PROVISIONED: those 14 storage calls and a token request would delay the first
// answer of a cold start, and Graph wants its validation answered within 3 s.
if (!storageProvisioned) app.hook.appStart(() => ensureStorage(processServices()));
// Before the first invocation, so its spans are real; a no-op unless telemetry is asked for.
startTelemetry(processServices().config.settings);

// The worker runs these hooks when the host shuts it down (scale-in, deployment, restart):
// what the process summed in memory (the report counters) is written then.
app.hook.appTerminate(() => processServices().stop());

for (const definition of functionTable) {
  switch (definition.kind) {
    case 'http': {
      const { handler } = definition;
      app.http(definition.name, {
        route: definition.route,
        methods: definition.methods,
        authLevel: 'anonymous',
        handler: (request, context) => handler(request, context, processServices()),
      });
      break;
    }
    case 'queue': {
      const { handler } = definition;
      app.storageQueue(definition.name, {
        queueName: definition.queueName,
        connection: 'AzureWebJobsStorage',
        handler: (message, context) => handler(message, context, processServices()),
      });
      break;
    }
    case 'timer': {
      const { handler } = definition;
      app.timer(definition.name, {
        schedule: definition.schedule,
        runOnStartup: definition.runOnStartup ?? false,
        handler: (timer, context) => handler(timer, context, processServices()),
      });
      break;
    }
  }
}
