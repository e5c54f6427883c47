import { ConfigError, createLogger, installSignalHandlers, startTelemetry } from '@driftguard/runtime/boot';
import { loadRecommenderConfig, type RecommenderConfig } from './config.js';

// The one impure file of the recommender service: read the environment, start telemetry before the
// service's modules load (so http and pg can be instrumented), turn SIGTERM/SIGINT into destroy().
function configOrExit(): RecommenderConfig {
  try {
    return loadRecommenderConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`recommender: ${err.message}\n`);
    return process.exit(2);
  }
}

const cfg = configOrExit();
const telemetry = startTelemetry({ serviceName: 'driftguard-recommender', endpoint: cfg.OTEL_EXPORTER_OTLP_ENDPOINT });
const log = createLogger({ level: cfg.LOG_LEVEL, name: 'recommender' });
const { createRecommenderService } = await import('./service.js');
const service = await createRecommenderService(cfg, { log, telemetry });
const lifecycle = installSignalHandlers(service, log);

try {
  await service.start();
} catch (err) {
  log.fatal({ err }, 'recommender service failed to start');
  await lifecycle.shutdown('start-up failure', 1);
}
