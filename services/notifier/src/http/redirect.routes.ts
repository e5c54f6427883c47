import { runAsOrg } from '@driftguard/db';
import { NotFoundError, problemResponses, type HttpApp, type ServiceContext } from '@driftguard/runtime';
import { z } from 'zod';
import type { NotifierConfig } from '../config.js';
import { markRead } from '../delivery/notifications.queries.js';
import type { LinkSigner } from './tracked-link.js';

/**
 * `GET /r/:token`: the console link of a notification. Records when the notification was first
 * opened (`read_at`) and redirects to the console page of the drift, or of the notification.
 * A token that does not verify is a 404, so links cannot be forged to mark others read.
 */
export function registerRedirectRoutes(app: HttpApp, ctx: ServiceContext<NotifierConfig>, signer: LinkSigner): void {
  app.get(
    '/r/:token',
    {
      schema: {
        summary: 'Tracked console link of a notification',
        params: z.object({ token: z.string().min(1).max(1000) }),
        response: { 302: z.null().describe('to the console page'), ...problemResponses(404) },
      },
    },
    async (request, reply) => {
      const target = signer.verify(request.params.token);
      if (!target) throw new NotFoundError('unknown or altered link');
      await runAsOrg(target.o, () => markRead(ctx.db, target.n));
      const base = ctx.cfg.DG_CONSOLE_URL.replace(/\/$/, '');
      const location = target.d ? `${base}/drifts/${target.d}` : `${base}/notifications/${target.n}`;
      return reply.code(302).header('location', location).send(null);
    },
  );
}
