/** The competing engines are dependencies of the ingest service; they are resolved from there. */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

export type MicrodiffChange = { type: 'CREATE' | 'REMOVE' | 'CHANGE'; path: (string | number)[] };
export type Microdiff = (a: object, b: object) => MicrodiffChange[];
export type Jsondiffpatch = { diff(a: unknown, b: unknown): unknown };

export async function loadEngines(): Promise<{ microdiff: Microdiff; jsondiffpatch: Jsondiffpatch }> {
  const require = createRequire(new URL('../services/ingest/package.json', import.meta.url));
  const md = (await import(pathToFileURL(require.resolve('microdiff')).href)) as { default: Microdiff };
  const jdp = (await import(pathToFileURL(require.resolve('jsondiffpatch')).href)) as { create(opts?: object): Jsondiffpatch };
  return { microdiff: md.default, jsondiffpatch: jdp.create() };
}
