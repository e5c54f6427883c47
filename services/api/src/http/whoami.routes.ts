import { Role } from '@driftguard/contracts';
import { principalOf, requireToken, type HttpApp } from '@driftguard/runtime';
import { z } from 'zod';

const WhoAmI = z.object({ tokenId: z.number().int(), orgId: z.number().int(), envId: z.number().int().nullable(), role: Role });

/** `GET /v1/whoami`: what the presented token is allowed to act as; lets scripts check a token. */
export function registerWhoAmIRoutes(app: HttpApp): void {
  app.get(
    '/v1/whoami',
    { preHandler: requireToken({ roles: Role.options }), schema: { response: { 200: WhoAmI } } },
    async (request) => principalOf(request),
  );
}
