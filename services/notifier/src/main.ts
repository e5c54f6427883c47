import { ConfigError, createLogger, installSignalHandlers, startTelemetry } from '@driftguard/runtime/boot';
import { loadNotifierConfig, type NotifierConfig } from './config.js';

// The one impure file of the notifier service: read the environment, start telemetry before the
// service's modules load (so http and pg can be instrumented), turn SIGTERM/SIGINT into destroy().
function configOrExit(): NotifierConfig {
  try {
    return loadNotifierConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`notifier: ${err.message}\n`);
    return process.exit(2);
  }
}

const cfg = configOrExit();
const telemetry = startTelemetry({ serviceName: 'driftguard-notifier', endpoint: cfg.OTEL_EXPORTER_OTLP_ENDPOINT });
const log = createLogger({ level: cfg.LOG_LEVEL, name: 'notifier' });
const { createNotifierService } = await import('./service.js');
const service = await createNotifierService(cfg, { log, telemetry });
const lifecycle = installSignalHandlers(service, log);

try {
  await service.start();
} catch (err) {
  log.fatal({ err }, 'notifier service failed to start');
  await lifecycle.shutdown('start-up failure', 1);
}
