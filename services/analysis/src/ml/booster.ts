import { createRequire } from 'node:module';
import type { XGBoostBooster, XGBoostClass, XGBoostModelJson } from 'ml-xgboost';

let loaded: Promise<XGBoostClass> | undefined;

/**
 * The WASM XGBoost class, loaded once per process. The package is CommonJS whose
 * `module.exports` is a promise; `require` hands that promise over as it is, whereas an ESM
 * namespace of a thenable export is mangled by some loaders (vitest's among them).
 */
export function loadXGBoost(): Promise<XGBoostClass> {
  loaded ??= Promise.resolve(createRequire(import.meta.url)('ml-xgboost') as Promise<XGBoostClass>);
  return loaded;
}

/** Hyper-parameters of the cause model: shallow trees, few rounds, multi-class probabilities. */
export interface BoosterParams {
  rounds: number;
  maxDepth: number;
  eta: number;
}

export const DEFAULT_PARAMS: BoosterParams = { rounds: 30, maxDepth: 4, eta: 0.3 };

/** Trains a `multi:softprob` booster over `classes` classes. The caller frees it. */
export async function trainBooster(
  rows: number[][],
  labels: number[],
  classes: number,
  params: BoosterParams,
): Promise<XGBoostBooster> {
  const XGBoost = await loadXGBoost();
  const booster = new XGBoost({
    booster: 'gbtree',
    objective: 'multi:softprob',
    num_class: classes,
    max_depth: params.maxDepth,
    eta: params.eta,
    min_child_weight: 1,
    subsample: 0.9,
    colsample_bytree: 0.9,
    tree_method: 'hist',
    seed: 7,
    silent: 1,
    iterations: params.rounds,
  });
  booster.train(rows, labels);
  return booster;
}

/** Rebuilds a booster from its bytes (base64 of the model file) and options. The caller frees it. */
export async function loadBooster(modelBase64: string, options: XGBoostModelJson['options']): Promise<XGBoostBooster> {
  const XGBoost = await loadXGBoost();
  return XGBoost.load({ name: 'ml-xgboost', model: Array.from(Buffer.from(modelBase64, 'base64')), options });
}

/** The booster's model file as base64 (compact for jsonb) and its options. */
export function serializeBooster(booster: XGBoostBooster): { modelBase64: string; options: XGBoostModelJson['options'] } {
  const json = booster.toJSON();
  return { modelBase64: Buffer.from(Int8Array.from(json.model).buffer).toString('base64'), options: json.options };
}

/** Runs `fn` with a booster and frees it afterwards, whatever happens. */
export async function withBooster<T>(booster: XGBoostBooster, fn: (b: XGBoostBooster) => T | Promise<T>): Promise<T> {
  try {
    return await fn(booster);
  } finally {
    booster.free();
  }
}
