import type { BaseConfig, Env } from '@driftguard/runtime/boot';
import type { Service, ServiceDeps } from '@driftguard/runtime';

export const SERVICE_NAMES = ['api', 'ingest', 'analysis', 'recommender', 'notifier'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** A service whose configuration is parsed, ready to be created. */
export interface ConfiguredService {
  name: ServiceName;
  cfg: BaseConfig & { PORT: number };
  create(deps: ServiceDeps): Promise<Service>;
}

function configured<C extends BaseConfig & { PORT: number }>(
  name: ServiceName,
  env: Env,
  loadConfig: (env: Env) => C,
  create: (cfg: C, deps: ServiceDeps) => Promise<Service>,
): ConfiguredService {
  const cfg = loadConfig(env);
  return { name, cfg, create: (deps) => create(cfg, deps) };
}

/**
 * Loads a service's package and parses its configuration. The import is dynamic so that
 * telemetry starts before fastify and pg load (see startTelemetry) and admin commands stay light.
 */
export async function configureService(name: ServiceName, env: Env): Promise<ConfiguredService> {
  switch (name) {
    case 'api': {
      const [m, { apiChannelAdapters }] = await Promise.all([import('@driftguard/api'), import('./api-channels.js')]);
      return configured(name, env, m.loadApiConfig, (cfg, deps) =>
        m.createApiService(cfg, { ...deps, channels: apiChannelAdapters(cfg) }),
      );
    }
    case 'ingest': {
      const m = await import('@driftguard/ingest');
      return configured(name, env, m.loadIngestConfig, m.createIngestService);
    }
    case 'analysis': {
      const m = await import('@driftguard/analysis');
      return configured(name, env, m.loadAnalysisConfig, m.createAnalysisService);
    }
    case 'recommender': {
      const m = await import('@driftguard/recommender');
      return configured(name, env, m.loadRecommenderConfig, m.createRecommenderService);
    }
    case 'notifier': {
      const m = await import('@driftguard/notifier');
      return configured(name, env, m.loadNotifierConfig, m.createNotifierService);
    }
    default: {
      const unknown: never = name;
      throw new Error(`unknown service ${String(unknown)}`);
    }
  }
}
