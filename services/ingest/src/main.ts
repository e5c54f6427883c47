import { ConfigError, createLogger, installSignalHandlers, startTelemetry } from '@driftguard/runtime/boot';
import { loadIngestConfig, type IngestConfig } from './config.js';

// The one impure file of the ingest service: read the environment, start telemetry before the
// service's modules load (so http and pg can be instrumented), turn SIGTERM/SIGINT into destroy().
function configOrExit(): IngestConfig {
  try {
    return loadIngestConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`ingest: ${err.message}\n`);
    return process.exit(2);
  }
}

const cfg = configOrExit();
const telemetry = startTelemetry({ serviceName: 'driftguard-ingest', endpoint: cfg.OTEL_EXPORTER_OTLP_ENDPOINT });
const log = createLogger({ level: cfg.LOG_LEVEL, name: 'ingest' });
const { createIngestService } = await import('./service.js');
const service = await createIngestService(cfg, { log, telemetry });
const lifecycle = installSignalHandlers(service, log);

try {
  await service.start();
} catch (err) {
  log.fatal({ err }, 'ingest service failed to start');
  await lifecycle.shutdown('start-up failure', 1);
}
