// Public entry points of the Lisp language. Other layers import from here only.
export * from './types.ts';
