// Helpers shared by the special forms (which see their arguments unevaluated).
import { arityError } from '../interpreter.ts';
import type { ListNode } from '../types.ts';

export function checkSpecialArity(node: ListNode, min: number, max: number, usage: string): void {
  const argc = node.items.length - 1;
  if (argc < min || argc > max) {
    const head = node.items[0];
    throw arityError(head?.kind === 'symbol' ? head.name : '?', min, max, argc, usage, node.pos);
  }
}
