/**
 * A scanner that never stops: native scans of drifts with unique resource addresses, submitted to
 * ingest over HTTP one after another. A submission that fails (ingest killed, database down) is
 * sent again, the same body, until ingest answers 202, as a scanner retries; a drift counts as
 * submitted once the scan carrying it was accepted.
 */

/**
 * Resource types of the drifts; a scan never holds two drifts of one type, so with the notifier
 * grouping by scan and resource type every drift is an alert of its own.
 */
export const DRIFT_TYPES = [
  'aws_instance',
  'aws_s3_bucket',
  'aws_lambda_function',
  'aws_sqs_queue',
  'aws_sns_topic',
  'aws_dynamodb_table',
  'aws_ecs_service',
  'aws_cloudwatch_log_group',
  'aws_kinesis_stream',
  'aws_elasticache_cluster',
  'aws_efs_file_system',
  'aws_ecr_repository',
  'aws_route53_record',
  'aws_api_gateway_rest_api',
  'aws_autoscaling_group',
  'aws_launch_template',
  'aws_ssm_parameter',
  'aws_glue_job',
  'aws_athena_workgroup',
  'aws_cloudfront_distribution',
  'aws_eks_node_group',
  'aws_msk_cluster',
  'aws_batch_job_queue',
  'aws_sfn_state_machine',
] as const;

export interface DriftPusher {
  /** addresses of the drifts of every accepted scan */
  readonly submitted: Set<string>;
  /** scans accepted, and submissions that failed and were sent again */
  stats(): { scans: number; retries: number };
  /** Submits `scans` scans of `size` drifts at once (each retried until accepted); resolves when all are accepted. */
  burst(scans: number, size: number): Promise<void>;
  /** Stops the steady stream after the scan in hand is accepted; throws what stopped it early, if anything did. */
  stop(): Promise<void>;
  /** Stops every submission at once, accepted or not (clean-up after a failure). */
  abandon(): void;
}

export interface DriftPusherOptions {
  ingestUrl: string;
  token: string;
  /** drifts per scan of the steady stream (at most DRIFT_TYPES.length) */
  scanSize: number;
  /** pause between two scans of the steady stream */
  intervalMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function startDriftPusher(opts: DriftPusherOptions): DriftPusher {
  const submitted = new Set<string>();
  let next = 0;
  let scans = 0;
  let retries = 0;
  let stopped = false;
  let abandoned = false;

  const scanOf = (size: number) => {
    if (size > DRIFT_TYPES.length) throw new Error(`a scan holds at most ${DRIFT_TYPES.length} drifts`);
    const addresses: string[] = [];
    const observations = DRIFT_TYPES.slice(0, size).map((type) => {
      const n = next++;
      const address = `${type}.fault_${n}`;
      addresses.push(address);
      return {
        kind: 'modified',
        resource: { address, type, physicalId: `fault-${n.toString(16).padStart(8, '0')}` },
        declared: { tags: { owner: 'platform', seq: String(n) } },
        actual: { tags: { owner: 'someone-else', seq: String(n) } },
      };
    });
    return { addresses, body: JSON.stringify({ observedAt: new Date().toISOString(), observations }) };
  };

  const submit = async (size: number) => {
    const { addresses, body } = scanOf(size);
    for (;;) {
      if (abandoned) return;
      const status = await fetch(`${opts.ingestUrl}/v1/scans?format=native&full=false&scanner=faults`, {
        method: 'POST',
        headers: { authorization: `Bearer ${opts.token}`, 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(15_000),
      }).then(
        async (res) => (await res.arrayBuffer(), res.status),
        () => 0,
      );
      if (status === 202) break;
      // a 4xx would mean the scan is wrong, not a fault: retrying it forever would hide that
      if (status >= 400 && status < 500) throw new Error(`scan refused with ${status}`);
      retries++;
      await sleep(250);
    }
    scans++;
    for (const a of addresses) submitted.add(a);
  };

  let failure: Error | undefined;
  const steady = (async () => {
    while (!stopped) {
      await submit(opts.scanSize);
      await sleep(opts.intervalMs);
    }
  })().catch((err: unknown) => {
    failure = err instanceof Error ? err : new Error(String(err));
  });

  return {
    submitted,
    stats: () => ({ scans, retries }),
    burst: async (count, size) => {
      await Promise.all(Array.from({ length: count }, () => submit(size)));
    },
    abandon: () => {
      stopped = true;
      abandoned = true;
    },
    stop: async () => {
      stopped = true;
      await steady;
      if (failure !== undefined) throw failure;
    },
  };
}
