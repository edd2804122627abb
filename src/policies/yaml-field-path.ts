import { isMap, isNode, isPair, isScalar, isSeq, type Document, type LineCounter } from 'yaml';

/** a field path as messages print it: `statements[1].actions[0]`, `condition.Null["s3:x-amz-…"]` */
export function formatFieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (typeof p === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(p)) out += out === '' ? p : `.${p}`;
    else out += `[${JSON.stringify(String(p))}]`;
  }
  return out;
}

/**
 * The 1-based line of the field at `path` in a parsed document. `asKey`: the line of the mapping
 * key itself (an unknown or duplicate field), not of its value. A path that does not exist (a
 * missing required field) falls back to its nearest existing parent.
 */
export function lineOfField(doc: Document, lines: LineCounter, path: readonly PropertyKey[], asKey = false): number {
  let node: unknown = doc.contents;
  let offset = isNode(node) && node.range ? node.range[0] : 0;
  for (let i = 0; i < path.length; i++) {
    const p = path[i];
    let next: unknown;
    let keyOffset: number | undefined;
    if (isMap(node)) {
      const pair = node.items.find((it) => isPair(it) && keyText(it.key) === String(p));
      if (pair) {
        next = pair.value;
        if (isNode(pair.key) && pair.key.range) keyOffset = pair.key.range[0];
      }
    } else if (isSeq(node) && typeof p === 'number') {
      next = node.items[p];
    }
    if (next === undefined && keyOffset === undefined) break;
    const isLast = i === path.length - 1;
    if (isLast && asKey && keyOffset !== undefined) offset = keyOffset;
    else if (isNode(next) && next.range) offset = next.range[0];
    else if (keyOffset !== undefined) offset = keyOffset;
    node = next;
  }
  return lineAt(lines, offset);
}

/** the field path of the innermost node containing `offset` (where a YAML parse error points) */
export function fieldAtOffset(doc: Document, offset: number): PropertyKey[] {
  const path: PropertyKey[] = [];
  let node: unknown = doc.contents;
  for (;;) {
    let found = false;
    if (isMap(node)) {
      for (const it of node.items) {
        const k = isNode(it.key) ? it.key.range : undefined;
        const v = isNode(it.value) ? it.value.range : undefined;
        const start = k?.[0] ?? v?.[0];
        const end = v?.[2] ?? k?.[2];
        if (start !== undefined && end !== undefined && offset >= start && offset < end) {
          path.push(keyText(it.key));
          node = it.value;
          found = true;
          break;
        }
      }
    } else if (isSeq(node)) {
      node.items.forEach((it, i) => {
        if (!found && isNode(it) && it.range && offset >= it.range[0] && offset < it.range[2]) {
          path.push(i);
          node = it;
          found = true;
        }
      });
    }
    if (!found) return path;
  }
}

/**
 * The first mapping key that repeats an earlier key of the same mapping, with its offset. yaml
 * reports a duplicate key at the end of the token before it (after an empty value that is the
 * previous line), so the loader finds the key itself to name the right line and field.
 */
export function firstDuplicateKey(doc: Document): { path: PropertyKey[]; offset: number } | undefined {
  const walk = (node: unknown, path: PropertyKey[]): { path: PropertyKey[]; offset: number } | undefined => {
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const it of node.items) {
        const k = keyText(it.key);
        if (seen.has(k) && isNode(it.key) && it.key.range) return { path: [...path, k], offset: it.key.range[0] };
        seen.add(k);
        const inner = walk(it.value, [...path, k]);
        if (inner) return inner;
      }
    } else if (isSeq(node)) {
      for (let i = 0; i < node.items.length; i++) {
        const inner = walk(node.items[i], [...path, i]);
        if (inner) return inner;
      }
    }
    return undefined;
  };
  return walk(doc.contents, []);
}

export function lineAt(lines: LineCounter, offset: number): number {
  return Math.max(1, lines.linePos(offset).line);
}

function keyText(k: unknown): string {
  if (isScalar(k)) return String(k.value);
  return String(k);
}
