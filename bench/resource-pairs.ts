/**
 * Deterministic (seeded) declared/actual resource pairs for diff benchmarks: EC2 instances,
 * security groups with rule lists, S3 buckets with tags, IAM policies as JSON strings; about a
 * third of the pairs carry one to three drifts.
 */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export interface ResourcePair {
  resourceType: string;
  declared: { [k: string]: Json };
  actual: { [k: string]: Json };
}

/** mulberry32: small, fast, good enough for test data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima'];

export function makeGenerator(seed: number) {
  const rnd = prng(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const word = () => pick(WORDS);
  const id = (prefix: string) => `${prefix}-${(int(0xffffffff) >>> 0).toString(16).padStart(8, '0')}`;
  const tags = () => Object.fromEntries(Array.from({ length: 2 + int(5) }, (_, i) => [`${word()}${i}`, word()]));

  const instance = (): { [k: string]: Json } => ({
    id: id('i'),
    ami: id('ami'),
    instance_type: pick(['t3.micro', 'm5.large', 'c6g.xlarge']),
    subnet_id: id('subnet'),
    vpc_security_group_ids: [id('sg'), id('sg')],
    associate_public_ip_address: false,
    monitoring: true,
    tags: tags(),
    tags_all: tags(),
    metadata_options: [{ http_endpoint: 'enabled', http_tokens: 'required', http_put_response_hop_limit: 1 }],
    root_block_device: [
      { volume_size: 8 + int(100), volume_type: 'gp3', encrypted: true, delete_on_termination: true, iops: 3000 },
    ],
    credit_specification: [{ cpu_credits: 'standard' }],
    private_ip: `10.0.${int(255)}.${int(255)}`,
    key_name: word(),
  });
  const sgRule = (): { [k: string]: Json } => {
    const port = pick([22, 80, 443, 5432, 8080, 3306]);
    return {
      cidr_blocks: [`10.${int(255)}.0.0/16`, `172.16.${int(255)}.0/24`],
      description: word(),
      from_port: port,
      to_port: port,
      protocol: 'tcp',
      ipv6_cidr_blocks: [],
      prefix_list_ids: [],
      security_groups: [],
      self: false,
    };
  };
  const securityGroup = (): { [k: string]: Json } => ({
    id: id('sg'),
    arn: `arn:aws:ec2:eu-west-1:123456789012:security-group/${id('sg')}`,
    name: word(),
    description: 'Managed by Terraform',
    vpc_id: id('vpc'),
    ingress: Array.from({ length: 2 + int(6) }, sgRule),
    egress: [{ ...sgRule(), cidr_blocks: ['0.0.0.0/0'], protocol: '-1', from_port: 0, to_port: 0 }],
    owner_id: '123456789012',
    revoke_rules_on_delete: false,
    tags: tags(),
  });
  const bucket = (): { [k: string]: Json } => ({
    id: `${word()}-${word()}-${int(1e6)}`,
    bucket: word(),
    acl: 'private',
    force_destroy: false,
    tags: tags(),
    versioning: [{ enabled: true, mfa_delete: false }],
    server_side_encryption_configuration: [
      {
        rule: [
          {
            apply_server_side_encryption_by_default: [{ sse_algorithm: 'aws:kms', kms_master_key_id: id('key') }],
            bucket_key_enabled: true,
          },
        ],
      },
    ],
    lifecycle_rule: [{ id: word(), enabled: true, expiration: [{ days: 30 + int(300) }], prefix: `${word()}/` }],
  });
  const policyDoc = () => ({
    Version: '2012-10-17',
    Statement: Array.from({ length: 1 + int(4) }, (_, i) => ({
      Sid: `S${i}`,
      Effect: 'Allow',
      Action: [`s3:${pick(['GetObject', 'PutObject', 'ListBucket'])}`, `s3:${pick(['DeleteObject', 'GetBucketLocation'])}`],
      Resource: `arn:aws:s3:::${word()}/*`,
    })),
  });
  const policy = (): { [k: string]: Json } => ({
    id: `arn:aws:iam::123456789012:policy/${word()}`,
    name: word(),
    path: '/',
    policy: JSON.stringify(policyDoc()),
    tags: tags(),
  });

  const mutate = (type: string, a: { [k: string]: Json }) => {
    const m = int(6);
    if (type === 'aws_security_group' && m < 2) {
      const rules = a.ingress as Json[];
      if (m === 0)
        rules.reverse(); // reorder only: not drift
      else rules.push({ ...(sgRule() as object), cidr_blocks: ['0.0.0.0/0'], from_port: 22, to_port: 22 });
    } else if (type === 'aws_iam_policy' && m < 2) {
      const doc = JSON.parse(a.policy as string) as { Statement: { Action: Json }[] };
      if (m === 0)
        a.policy = JSON.stringify(doc, null, 2); // whitespace only: not drift
      else {
        doc.Statement[0]!.Action = '*';
        a.policy = JSON.stringify(doc);
      }
    } else if (m < 4) (a.tags as { [k: string]: Json })[`added${int(9)}`] = word();
    else if (m === 4) delete (a.tags as { [k: string]: Json })[Object.keys(a.tags as object)[0]!];
    else a.description = `changed ${word()}`;
  };

  return {
    /** Realistic pairs across four resource types. */
    realistic(n: number): ResourcePair[] {
      const makers: [string, () => { [k: string]: Json }][] = [
        ['aws_instance', instance],
        ['aws_security_group', securityGroup],
        ['aws_s3_bucket', bucket],
        ['aws_iam_policy', policy],
      ];
      return Array.from({ length: n }, (_, i) => {
        const [resourceType, make] = makers[i % makers.length]!;
        const declared = make();
        const actual = structuredClone(declared);
        if (rnd() < 0.35) for (let k = 1 + int(3); k > 0; k--) mutate(resourceType, actual);
        return { resourceType, declared, actual };
      });
    },
    /**
     * Plain nested objects with non-empty scalar leaves and no arrays: no set semantics, no
     * stringified numbers, no empties, no policies, so all three engines must agree exactly.
     */
    plain(n: number): ResourcePair[] {
      const leaf = (): Json => pick([() => `${word()}-${int(1000)}`, () => int(100000) + 1, () => rnd() < 0.5])();
      const obj = (depth: number): { [k: string]: Json } =>
        Object.fromEntries(
          Array.from({ length: 3 + int(5) }, (_, i) => [`${word()}_${i}`, depth > 0 && rnd() < 0.3 ? obj(depth - 1) : leaf()]),
        );
      return Array.from({ length: n }, () => {
        const declared = obj(3);
        const actual = structuredClone(declared);
        for (let k = int(4); k > 0; k--) {
          let node = actual;
          while (true) {
            const keys = Object.keys(node);
            const key = pick(keys);
            const child = node[key];
            if (child !== null && typeof child === 'object' && !Array.isArray(child)) {
              node = child; // mutate scalar leaves only: a whole object added or removed is reported differently by each engine
              continue;
            }
            const op = int(3);
            if (op === 0) node[key] = typeof child === 'string' ? `${child}!` : typeof child === 'number' ? child + 1 : !child;
            else if (op === 1 && keys.length > 1) delete node[key];
            else node[`new_${word()}_${int(99)}`] = leaf();
            break;
          }
        }
        return { resourceType: 'bench_plain', declared, actual };
      });
    },
  };
}
