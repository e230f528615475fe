import { parse, type ValueNode } from '@humanwhocodes/momoa';

/** Where a JSON document names a key twice in one object: the key and the JSON Pointer of that object. */
export interface DuplicateKey {
  key: string;
  path: string;
}

const pointerSegment = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

function findIn(node: ValueNode, path: string): DuplicateKey | null {
  if (node.type === 'Array') {
    for (const [index, element] of node.elements.entries()) {
      const found = findIn(element.value, `${path}/${index}`);
      if (found) return found;
    }
  } else if (node.type === 'Object') {
    const seen = new Set<string>();
    for (const member of node.members) {
      // The decoded name: "a" and "\u0061" are the same key.
      const key = member.name.type === 'String' ? member.name.value : member.name.name;
      if (seen.has(key)) return { key, path: path || '/' };
      seen.add(key);
      const found = findIn(member.value, `${path}/${pointerSegment(key)}`);
      if (found) return found;
    }
  }
  return null;
}

/**
 * The first key repeated within one object of a valid JSON text, or null. JSON.parse silently keeps the last one;
 * momoa (the JSON parser behind ESLint's JSON support) keeps every member, so repeats can be seen.
 */
export function findDuplicateKey(text: string): DuplicateKey | null {
  return findIn(parse(text, { mode: 'json' }).body, '');
}
