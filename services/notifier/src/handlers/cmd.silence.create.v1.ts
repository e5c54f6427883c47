import { PermanentError, type EventHandler } from '@driftguard/bus';
import type { Database } from '@driftguard/db';
import { insertSilence } from '../silencing/silences.queries.js';

/** `dg.cmd.silence.create.v1.<org>.<env>`: records a silence (once per command) that holds back matching non-critical notifications. */
export function cmdSilenceCreateV1(): EventHandler<'cmd.silence.create.v1', Database> {
  return async (event, { tx, log }) => {
    const { matchers, startsAt, endsAt, createdBy, comment } = event.data;
    if (new Date(endsAt) <= new Date(startsAt)) throw new PermanentError('a silence must end after it starts');
    await insertSilence(tx, {
      orgId: event.orgId,
      messageId: event.id,
      matchers,
      startsAt: new Date(startsAt),
      endsAt: new Date(endsAt),
      createdBy,
      comment,
    });
    log.info({ createdBy, endsAt, matchers: matchers.length }, 'silence created');
  };
}
