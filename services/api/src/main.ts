import { ConfigError, createLogger, installSignalHandlers, startTelemetry } from '@driftguard/runtime/boot';
import { loadApiConfig, type ApiConfig } from './config.js';

// The one impure file of the api service: read the environment, start telemetry before the
// service's modules load (so http and pg can be instrumented), turn SIGTERM/SIGINT into destroy().
function configOrExit(): ApiConfig {
  try {
    return loadApiConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`api: ${err.message}\n`);
    return process.exit(2);
  }
}

const cfg = configOrExit();
const telemetry = startTelemetry({ serviceName: 'driftguard-api', endpoint: cfg.OTEL_EXPORTER_OTLP_ENDPOINT });
const log = createLogger({ level: cfg.LOG_LEVEL, name: 'api' });
const { createApiService } = await import('./service.js');
const service = await createApiService(cfg, { log, telemetry });
const lifecycle = installSignalHandlers(service, log);

try {
  await service.start();
} catch (err) {
  log.fatal({ err }, 'api service failed to start');
  await lifecycle.shutdown('start-up failure', 1);
}
