import { ConfigError, createLogger, installSignalHandlers, startTelemetry } from '@driftguard/runtime/boot';
import { loadAnalysisConfig, type AnalysisConfig } from './config.js';

// The one impure file of the analysis service: read the environment, start telemetry before the
// service's modules load (so http and pg can be instrumented), turn SIGTERM/SIGINT into destroy().
function configOrExit(): AnalysisConfig {
  try {
    return loadAnalysisConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`analysis: ${err.message}\n`);
    return process.exit(2);
  }
}

const cfg = configOrExit();
const telemetry = startTelemetry({ serviceName: 'driftguard-analysis', endpoint: cfg.OTEL_EXPORTER_OTLP_ENDPOINT });
const log = createLogger({ level: cfg.LOG_LEVEL, name: 'analysis' });
const { createAnalysisService } = await import('./service.js');
const service = await createAnalysisService(cfg, { log, telemetry });
const lifecycle = installSignalHandlers(service, log);

try {
  await service.start();
} catch (err) {
  log.fatal({ err }, 'analysis service failed to start');
  await lifecycle.shutdown('start-up failure', 1);
}
