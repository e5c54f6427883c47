// ml-xgboost 1.1.2 ships no types; this declares the part of its API DriftGuard uses.
declare module 'ml-xgboost' {
  /** Parameters as XGBoost names them (objective, num_class, max_depth, eta, …) plus `iterations`. */
  export type XGBoostOptions = Record<string, string | number>;

  /** What `toJSON()` returns and `load()` accepts: the booster's binary model as signed bytes. */
  export interface XGBoostModelJson {
    name: 'ml-xgboost';
    model: number[];
    options: XGBoostOptions;
  }

  export interface XGBoostBooster {
    train(rows: number[][], labels: number[]): void;
    /** One array of class probabilities per row with `multi:softprob`. */
    predict(rows: number[][]): number[][];
    toJSON(): XGBoostModelJson;
    /** Frees the WASM memory of the booster; it is not garbage-collected. */
    free(): void;
  }

  export interface XGBoostClass {
    new (options: XGBoostOptions): XGBoostBooster;
    load(model: XGBoostModelJson): XGBoostBooster;
  }

  /** The module's default export is a promise of the class (the WASM module loads asynchronously). */
  const xgboost: Promise<XGBoostClass>;
  export default xgboost;
}
