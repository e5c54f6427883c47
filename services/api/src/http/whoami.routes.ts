import { Role, WhoAmI } from '@driftguard/contracts';
import { principalOf, problemResponses, requireToken, type HttpApp } from '@driftguard/runtime';

/** `GET /v1/whoami`: what the presented token or session is allowed to act as; lets scripts check a token. */
export function registerWhoAmIRoutes(app: HttpApp): void {
  app.get(
    '/v1/whoami',
    {
      preHandler: requireToken({ roles: Role.options }),
      schema: {
        summary: 'Who the presented token or console session speaks for',
        security: [{ bearer: [] }, { session: [] }],
        response: { 200: WhoAmI, ...problemResponses(401, 403) },
      },
    },
    async (request) => principalOf(request),
  );
}
