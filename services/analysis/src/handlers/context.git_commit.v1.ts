import type { EventHandler } from '@driftguard/bus';
import type { Database } from '@driftguard/db';
import { storeSignalOf } from './context.signal.js';

/** `dg.context.git_commit.v1.<org>.<env>`: keeps the signal for correlation with the environment's drifts. */
export const contextGitCommitV1 = (): EventHandler<'context.git_commit.v1', Database> => storeSignalOf('git_commit');
