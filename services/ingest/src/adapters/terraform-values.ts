/** Terraform JSON helpers shared by the plan and state readers. */
import type { Json } from '../model/observation.js';
import { escapePointerSegment } from '../model/json-pointer.js';
import { isRecord } from './input.guards.js';

/**
 * Pointers of the `true` leaves of a Terraform mirror object (`after_unknown`,
 * `before_sensitive`, `sensitive_values`); a bare `true` means the whole value ('').
 */
export function mirrorPointers(mirror: unknown, base = '', out: string[] = [], depth = 0): string[] {
  if (mirror === true) out.push(base);
  else if (depth > 64) return out;
  else if (Array.isArray(mirror)) mirror.forEach((m, i) => mirrorPointers(m, `${base}/${i}`, out, depth + 1));
  else if (isRecord(mirror))
    for (const [k, m] of Object.entries(mirror)) mirrorPointers(m, `${base}/${escapePointerSegment(k)}`, out, depth + 1);
  return out;
}

/** `sensitive_attributes` of a tfstate v4 instance: path-step arrays, pointers or mirrors. */
export function sensitiveAttributePointers(list: unknown): string[] {
  if (!Array.isArray(list)) return isRecord(list) ? mirrorPointers(list) : [];
  const out: string[] = [];
  for (const item of list) {
    if (typeof item === 'string')
      out.push(item.startsWith('/') ? item : '/' + item.split('.').map(escapePointerSegment).join('/'));
    else if (Array.isArray(item)) {
      // A step a pointer cannot express (a set element, keyed by its whole value) ends the path
      // there: the whole collection is then treated as sensitive, never a wrong sibling path.
      let p = '';
      for (const step of item) {
        const v = isRecord(step) ? (isRecord(step.value) ? step.value.value : step.value) : undefined;
        if (typeof v !== 'string' && typeof v !== 'number') break;
        p += '/' + escapePointerSegment(String(v));
      }
      out.push(p);
    } else if (isRecord(item)) {
      // Newer states write each path as {"type":"get_attr","value":"x"} steps nested under "path".
      if (Array.isArray(item.path)) out.push(...sensitiveAttributePointers([item.path]));
      else out.push(...mirrorPointers(item));
    }
  }
  return out;
}

/** The cloud id of a resource body: `id`, else `arn`. */
export function physicalIdOf(values: Json | undefined): string | undefined {
  if (!isRecord(values)) return undefined;
  const id = values.id;
  if (typeof id === 'string' && id !== '') return id;
  if (typeof id === 'number') return String(id);
  const arn = values.arn;
  return typeof arn === 'string' && arn !== '' ? arn : undefined;
}

/** `provider["registry.terraform.io/hashicorp/aws"]` / `provider["…"].alias` / 0.12 `provider.aws` → source address. */
export function providerName(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || raw === '') return undefined;
  const quoted = /provider\["([^"]+)"\]/.exec(raw);
  if (quoted) return quoted[1];
  const legacy = /(?:^|\.)provider\.([A-Za-z0-9_-]+)/.exec(raw);
  return legacy ? legacy[1] : raw;
}

/** `[0]` for count, `["key"]` for for_each. */
export function indexSuffix(index: unknown): string {
  if (typeof index === 'number') return `[${index}]`;
  if (typeof index === 'string') return `[${JSON.stringify(index)}]`;
  return '';
}
