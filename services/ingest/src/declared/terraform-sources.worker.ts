/** Reads a Terraform checkout's `.tf` files off the main thread (see terraform-sources.thread.ts). */
import { parentPort } from 'node:worker_threads';
import { RepositoryFileError } from './repository-files.js';
import { readTerraformSources } from './terraform-sources.js';

export type TerraformSourcesReply =
  | { ok: true; result: Awaited<ReturnType<typeof readTerraformSources>> }
  | { ok: false; file: string; reason: string }
  | { ok: false; crash: string };

const port = parentPort;
if (!port) throw new Error('terraform-sources.worker must run as a worker thread');
port.once('message', (root: string) => {
  void readTerraformSources(root).then(
    (result) => port.postMessage({ ok: true, result } satisfies TerraformSourcesReply),
    (err: unknown) =>
      port.postMessage(
        (err instanceof RepositoryFileError
          ? { ok: false, file: err.file, reason: err.message.slice(err.file.length + 2) }
          : {
              ok: false,
              crash: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
            }) satisfies TerraformSourcesReply,
      ),
  );
});
