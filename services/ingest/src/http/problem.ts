import type { FastifyReply } from 'fastify';

export interface Problem {
  status: number;
  title: string;
  detail: string;
  type?: string;
  [extension: string]: unknown;
}

/** Sends an RFC 9457 problem document. */
export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  const { status, title, detail, type, ...ext } = p;
  return reply
    .code(status)
    .type('application/problem+json')
    .send({ type: type ?? `https://driftguard.dev/problems/${slug(title)}`, title, status, detail, instance: reply.request.url, ...ext });
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}
