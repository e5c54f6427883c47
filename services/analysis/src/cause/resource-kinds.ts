/** What sort of resource drifted; causes differ by kind (autoscalers touch compute, responders touch security). */
export const RESOURCE_KINDS = ['compute', 'network', 'security', 'iam', 'database', 'storage', 'k8s_workload', 'other'] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** What sort of property changed. */
export const PROPERTY_KINDS = ['size', 'count', 'network', 'security', 'tags', 'logging', 'config', 'other'] as const;
export type PropertyKind = (typeof PROPERTY_KINDS)[number];

// Ordered: the first match wins, so security groups are security, not network.
const RESOURCE_PATTERNS: [ResourceKind, RegExp][] = [
  ['security', /security_?group|securitygroup|firewall|network_?acl|waf|kms|secret|certificate|networkpolicy/i],
  ['iam', /iam|role|policy|serviceaccount|rolebinding/i],
  ['k8s_workload', /deployment|statefulset|daemonset|replicaset|cronjob|\bjob\b|horizontalpodautoscaler|\bpod\b/i],
  ['database', /rds|db_instance|dbinstance|dynamodb|elasticache|redshift|aurora|sql|database|cosmos/i],
  ['storage', /s3|bucket|ebs|volume|efs|storage|disk/i],
  ['network', /vpc|subnet|route|gateway|load_?balancer|elb|_lb($|_)|dns|ingress|v1\/service$|endpoint|eip/i],
  ['compute', /instance|autoscaling|launch_template|ecs|lambda|function|compute|vm|node_?group|container/i],
];

const PROPERTY_PATTERNS: [PropertyKind, RegExp][] = [
  ['tags', /\/(tags|tags_all|labels|annotations)(\/|$)/i],
  ['security', /ingress|egress|cidr|security_groups?|policy|permissions?|encrypt|kms|public|acl|ssl|tls|principal/i],
  ['logging', /log|trace|debug|verbos|monitoring|metrics/i],
  ['count', /desired|capacity|replicas|min_size|max_size|count|instances?_count|concurrency/i],
  ['size', /instance_type|instance_class|size|memory|cpu|resources\/(limits|requests)|storage|iops|throughput|allocated/i],
  ['network', /subnet|vpc|route|port|dns|endpoint|listener|target|address|(^|[/_])ips?([/_]|$)/i],
  ['config', /env|parameter|config|image|version|timeout|setting|variable|spec\//i],
];

/** Classifies a provider resource type (Terraform, CloudFormation or Kubernetes naming). */
export function resourceKind(resourceType: string): ResourceKind {
  return RESOURCE_PATTERNS.find(([, re]) => re.test(resourceType))?.[0] ?? 'other';
}

/** Classifies one changed property by its JSON Pointer. */
export function propertyKind(path: string): PropertyKind {
  return PROPERTY_PATTERNS.find(([, re]) => re.test(path))?.[0] ?? 'other';
}
