// Types of fresh-bundle.js (plain JavaScript, as the launcher that imports it).
/** True if `dir` holds a folder bundle made from the sources under `root` as they are now. */
export function freshBundle(root: string, dir: string): boolean;
