import { Worker } from 'node:worker_threads';
import { RepositoryFileError } from './repository-files.js';
import type { TerraformSourcesReply } from './terraform-sources.worker.js';
import type { readTerraformSources } from './terraform-sources.js';

const fromSource = import.meta.url.endsWith('.ts');

/** Heap of the reading thread: HashiCorp's parser (WebAssembly) and the files of one checkout. */
const HEAP_MB = 1024;

function spawn(): Worker {
  const resourceLimits = { maxOldGenerationSizeMb: HEAP_MB };
  if (!fromSource) return new Worker(new URL('./terraform-sources.worker.js', import.meta.url), { resourceLimits });
  return new Worker(new URL('../scans/scan-parse.worker-bootstrap.mjs', import.meta.url), {
    resourceLimits,
    execArgv: ['--conditions=source'],
    workerData: { entry: new URL('./terraform-sources.worker.ts', import.meta.url).href },
  });
}

/**
 * readTerraformSources in a thread of its own, ended when it answers: HashiCorp's parser runs as
 * WebAssembly on the thread that calls it and holds it for the whole parse of a file, which must
 * not be the service's (scans, health checks). A file that does not parse is a RepositoryFileError
 * as in the same thread.
 */
export async function readTerraformSourcesOffThread(root: string): ReturnType<typeof readTerraformSources> {
  const worker = spawn();
  try {
    const reply = await new Promise<TerraformSourcesReply>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the Terraform reading thread stopped (exit code ${code})`)));
      worker.postMessage(root);
    });
    if (reply.ok) return reply.result;
    if ('file' in reply) throw new RepositoryFileError(reply.file, reply.reason);
    throw new Error(`reading the Terraform files failed: ${reply.crash}`);
  } finally {
    await worker.terminate();
  }
}
