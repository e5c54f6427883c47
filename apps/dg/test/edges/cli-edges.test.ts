import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { RecommendationPolicyDocument } from '@driftguard/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createProgram } from '../../src/index.js';
import { BAD_INPUT_CLASSES, badBody, type BadInputClass, type BodyTarget } from './bad-input.classes.js';
import { sampleOf } from './schema-sample.js';
import { runDg, type DgRun } from '../support/run-dg.js';
import { startStack, tableCounts, type Stack } from './stack.harness.js';

/**
 * The `dg` command line given bad input: every command (enumerated from the program, so a new one
 * is covered) with an unknown option, and every command that reads a file or a JSON document
 * (policy files, channel configurations, scans to push) with each class of bad content. Each
 * ends with one "dg: …" line naming the problem and a non-zero exit, and writes nothing.
 */

let stack: Stack;
let dir: string;

beforeAll(async () => {
  stack = await startStack({ prefix: 'edges_cli', services: ['ingest'] });
  dir = await mkdtemp(join(tmpdir(), 'dg-edges-'));
});
afterAll(async () => {
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const dg = (args: string[], env: Record<string, string> = {}): Promise<DgRun> =>
  runDg(
    args,
    {
      DATABASE_URL: stack.env['DATABASE_URL'],
      DG_MASTER_KEY: stack.env['DG_MASTER_KEY'],
      DG_URL: stack.url('ingest'),
      DG_TOKEN: stack.tokens.scanner,
      LOG_LEVEL: 'silent',
      ...env,
    },
    dir,
  );

/** A refusal as a person reads it: non-zero, one "dg:" line saying why, no stack trace. */
function expectRefused(where: string, run: DgRun, names?: RegExp): void {
  expect(run.code, `${where}: ${run.stderr}`).not.toBe(0);
  const line = run.stderr.split('\n').find((l) => l.startsWith('dg: '));
  expect(line, `${where}: ${run.stderr}`).toBeDefined();
  expect(line!.length, where).toBeGreaterThan(10);
  expect(run.stderr, where).not.toMatch(/\n\s+at /);
  if (names) expect(line, where).toMatch(names);
}

/** Every runnable command of the program, as the words that name it. */
function leafCommands(command: Command, prefix: string[] = []): string[][] {
  const children = command.commands;
  if (children.length === 0) return [prefix];
  return children.flatMap((c) => leafCommands(c, [...prefix, c.name()]));
}

describe('every dg command', () => {
  const program = createProgram({ env: {}, stdout: process.stdout, stderr: process.stderr, cwd: '.', proc: process });
  const commands = leafCommands(program);

  it('is found', () => {
    expect(commands.length).toBeGreaterThan(25);
  });

  it.each(commands.map((c) => [c.join(' ')] as const))('%s refuses an unknown option with a message and exit 2', async (name) => {
    const run = await dg([...name.split(' '), '--no-such-option']);
    expect(run.code, run.stderr).toBe(2);
    // A missing mandatory option is reported first where there is one: a usage error all the same.
    expect(run.stderr).toMatch(/^dg: (unknown option '--no-such-option'|required option)/m);
  });
});

/** A valid policy document (the schema's sample, where a refinement needs more than the schema says). */
function policySample(): BodyTarget['sample'] {
  const sample = sampleOf(z.toJSONSchema(RecommendationPolicyDocument, { io: 'input', unrepresentable: 'any' })) as {
    rules: { when: Record<string, unknown>; then: Record<string, unknown>; description: string }[];
  };
  for (const rule of sample.rules) {
    delete rule.when['maxCauseConfidence'];
    rule.then['expiresIn'] = '7d';
    rule.description = 'a rule to start from';
  }
  expect(RecommendationPolicyDocument.safeParse(sample).success).toBe(true);
  return JSON.parse(JSON.stringify(sample)) as BodyTarget['sample'];
}

/** What a document-reading command is given: the valid document the bad ones are made from. */
const POLICY = (): BodyTarget => ({ sample: policySample(), textPath: ['rules', 0, 'description'], objectPath: [] });
const CHANNEL: BodyTarget = {
  sample: { url: 'http://127.0.0.1:9/hook', secrets: ['whsec_ZWRnZXMtd2ViaG9vay1zZWNyZXQtMDEyMzQ1Njc4OQ=='] },
  textPath: ['url'],
  objectPath: [],
};
const SCAN: BodyTarget = {
  sample: {
    format: 'native',
    version: 1,
    observations: [
      {
        kind: 'modified',
        resource: { type: 'aws_instance', address: 'aws_instance.cli' },
        declared: { instance_type: 't3.micro', note: 'a' },
        actual: { instance_type: 't3.large', note: 'b' },
      },
    ],
  },
  textPath: ['observations', 0, 'actual', 'note'],
  objectPath: [],
  huge: { count: 250_001, item: {} },
};

/** The classes a file may carry; an environment variable holds text, so not bad bytes. */
const ENV_CLASSES = BAD_INPUT_CLASSES.filter((c) => c !== 'invalid_utf8');

const NAMES: Partial<Record<BadInputClass, RegExp>> = {
  invalid_utf8: /UTF-8/i,
  nul: /NUL|\\u0000/i,
  lone_surrogate: /surrogate/i,
  proto_key: /__proto__|forbidden/i,
  constructor_key: /constructor|forbidden/i,
  deep_nesting: /deep|nest/i,
  empty: /empty|not JSON/i,
  not_json: /not JSON|JSON/i,
};

describe('commands that read a document refuse bad content and write nothing', () => {
  it('policy set --file', async () => {
    const failures: string[] = [];
    for (const cls of BAD_INPUT_CLASSES) {
      const file = join(dir, `policy-${cls}.json`);
      await writeFile(file, badBody(cls, POLICY()));
      const before = await tableCounts(stack);
      const run = await dg(['policy', 'set', 'acme', '--file', file]);
      try {
        expectRefused(`policy set [${cls}]`, run, NAMES[cls]);
        expect(await tableCounts(stack), `policy set [${cls}]: rows unchanged`).toEqual(before);
      } catch (err) {
        failures.push((err as Error).message.split('\n')[0]!);
      }
    }
    expectRefused(
      'policy set (no such file)',
      await dg(['policy', 'set', 'acme', '--file', join(dir, 'missing.json')]),
      /cannot read/,
    );
    expectRefused('policy set (a directory)', await dg(['policy', 'set', 'acme', '--file', dir]), /cannot read/);
    expect(failures).toEqual([]);
    // The valid document it started from is taken.
    await writeFile(join(dir, 'policy.json'), JSON.stringify(POLICY().sample));
    expect((await dg(['policy', 'set', 'acme', '--file', join(dir, 'policy.json')])).code).toBe(0);
  });

  it('channel add --config-env', async () => {
    const failures: string[] = [];
    for (const cls of ENV_CLASSES) {
      const before = await tableCounts(stack);
      const run = await dg(['channel', 'add', 'acme', '--type', 'webhook', '--name', `edge-${cls}`, '--config-env', 'CFG'], {
        CFG: badBody(cls, CHANNEL).toString('utf8'),
        DG_OUTBOUND_ALLOW: '127.0.0.1',
      });
      try {
        expectRefused(`channel add [${cls}]`, run, cls === 'empty' ? /not set or empty/ : NAMES[cls]);
        expect(await tableCounts(stack), `channel add [${cls}]: rows unchanged`).toEqual(before);
      } catch (err) {
        failures.push((err as Error).message.split('\n')[0]!);
      }
    }
    expect(failures).toEqual([]);
  });

  it('push FILE', async () => {
    const failures: string[] = [];
    for (const cls of BAD_INPUT_CLASSES) {
      const file = join(dir, `scan-${cls}.json`);
      await writeFile(file, badBody(cls, SCAN));
      const before = await tableCounts(stack);
      const run = await dg(['push', '--format', 'native', file]);
      try {
        expectRefused(`push [${cls}]`, run);
        expect(await tableCounts(stack), `push [${cls}]: rows unchanged`).toEqual(before);
      } catch (err) {
        failures.push((err as Error).message.split('\n')[0]!);
      }
    }
    expect(failures).toEqual([]);
  });

  it('bad targets, names and values on the command line', async () => {
    const before = await tableCounts(stack);
    const cases: [string, string[], Record<string, string>?][] = [
      ['org create with a slug that is not one', ['org', 'create', 'Not A Slug!']],
      ['env create without an environment', ['env', 'create', 'acme', '--cloud', 'aws']],
      ['env create with an unknown cloud', ['env', 'create', 'acme/stage', '--cloud', 'mainframe']],
      ['token create for an unknown organization', ['token', 'create', 'nobody/prod', '--role', 'scanner']],
      ['token create with an unknown role', ['token', 'create', 'acme/prod', '--role', 'overlord']],
      ['repo add with a NUL in its name', ['repo', 'add', 'acme/prod', '--tool', 'kubernetes', '--name', 'a\u0000b']],
      ['repo add with a lone surrogate in its name', ['repo', 'add', 'acme/prod', '--tool', 'kubernetes', '--name', 'a\ud800b']],
      [
        'repo add with a password in its URL',
        ['repo', 'add', 'acme/prod', '--tool', 'kubernetes', '--url', 'https://u:p@example.com/r.git'],
      ],
      [
        'integration add with a short secret',
        ['integration', 'add', 'acme/prod', '--source', 'github', '--secret-env', 'S'],
        { S: 'short' },
      ],
      [
        'push --timeout that is not a number',
        ['push', '--format', 'native', '--wait', '--timeout', 'soon', join(dir, 'none.json')],
      ],
      ['dlq replay of a letter that does not exist', ['dlq', 'replay', '999999']],
      ['an unknown command', ['no-such-command']],
    ];
    const failures: string[] = [];
    for (const [name, args, env] of cases) {
      try {
        expectRefused(name, await dg(args, env));
      } catch (err) {
        failures.push((err as Error).message.split('\n')[0]!);
      }
    }
    expect(failures).toEqual([]);
    expect(await tableCounts(stack)).toEqual(before);
  });
});
