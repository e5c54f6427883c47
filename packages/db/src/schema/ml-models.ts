import type { Insertable, Selectable, Updateable } from 'kysely';
import { notNull, notNullDefault, nullable, nullableDefault, type TableOf } from './columns.js';

/** `ml_models`: A trained model; one row per (name, version). Owned by analysis. */
export const mlModelsColumns = {
  id: notNullDefault('int4'),
  name: notNull('varchar(255)'),
  version: notNull('varchar(50)'),
  model_type: notNull('varchar(50)', ['classification', 'regression', 'clustering']),
  framework: notNull('varchar(50)'),
  artifact_path: nullable('varchar(500)'),
  features: notNull('jsonb'),
  target_classes: nullable('jsonb'),
  metrics: nullableDefault('jsonb'),
  trained_at: notNull('timestamptz'),
  deployed_at: nullable('timestamptz'),
  is_active: nullableDefault('bool'),
  metadata: nullableDefault('jsonb'),
  created_at: nullableDefault('timestamptz'),
} as const;

export type MlModelsTable = TableOf<typeof mlModelsColumns>;
export type MlModel = Selectable<MlModelsTable>;
export type NewMlModel = Insertable<MlModelsTable>;
export type MlModelUpdate = Updateable<MlModelsTable>;
